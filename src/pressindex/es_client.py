"""Build an Elasticsearch client from settings (URL, API key or user/password, CA certificate)."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from pressindex.config import Settings


def connect(settings: Settings) -> Elasticsearch:
    kwargs: dict = {"request_timeout": settings.request_timeout, "retry_on_timeout": True, "max_retries": 3}
    if settings.elasticsearch_api_key:
        kwargs["api_key"] = settings.elasticsearch_api_key.get_secret_value()
    elif settings.elasticsearch_username:
        password = settings.elasticsearch_password.get_secret_value() if settings.elasticsearch_password else ""
        kwargs["basic_auth"] = (settings.elasticsearch_username, password)
    if settings.elasticsearch_ca_certs:
        kwargs["ca_certs"] = str(settings.elasticsearch_ca_certs)
    return Elasticsearch(settings.es_url, **kwargs)
