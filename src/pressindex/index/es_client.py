"""Build an Elasticsearch client from settings (URL, API key or user/password, CA certificate)."""

from __future__ import annotations

import hashlib

from elasticsearch import Elasticsearch
from elasticsearch.serializer import OrjsonSerializer

from pressindex.config import Settings


def connect(settings: Settings) -> Elasticsearch:
    kwargs: dict = {
        "request_timeout": settings.request_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
        # orjson (a Prefect dependency) encodes bulk bodies about ten times faster than json
        "serializer": OrjsonSerializer(),
    }
    if settings.elasticsearch_api_key:
        kwargs["api_key"] = settings.elasticsearch_api_key.get_secret_value()
    elif settings.elasticsearch_username:
        password = (
            settings.elasticsearch_password.get_secret_value() if settings.elasticsearch_password else ""
        )
        kwargs["basic_auth"] = (settings.elasticsearch_username, password)
    if settings.elasticsearch_ca_certs:
        kwargs["ca_certs"] = str(settings.elasticsearch_ca_certs)
    return Elasticsearch(settings.es_url, **kwargs)


_clients: dict[tuple, Elasticsearch] = {}


def shared_client(settings: Settings) -> Elasticsearch:
    """One client (and connection pool) per connection settings in this process, for the batch
    tasks of a run: a new client per batch would open new connections (and TLS contexts) each time."""
    secrets = (settings.elasticsearch_api_key, settings.elasticsearch_password)
    key = (
        settings.es_url,
        settings.elasticsearch_username,
        # the secrets take part as digests: the key itself must not hold them
        *(hashlib.sha256(s.get_secret_value().encode()).hexdigest() if s else None for s in secrets),
        str(settings.elasticsearch_ca_certs or ""),
        settings.request_timeout,
    )
    client = _clients.get(key)
    if client is None:
        client = _clients[key] = connect(settings)
    return client
