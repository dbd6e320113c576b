"""One shared client per connection settings; other credentials get a client of their own."""

from __future__ import annotations

from pressindex.config import Settings
from pressindex.index.es_client import _clients, shared_client


def test_same_settings_share_a_client_other_credentials_do_not(monkeypatch) -> None:
    monkeypatch.setenv("ELASTICSEARCH_URL", "https://es.example:9200")
    monkeypatch.setenv("ELASTICSEARCH_USERNAME", "ingest")
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "first-secret")
    first = shared_client(Settings())
    assert shared_client(Settings()) is first
    monkeypatch.setenv("ELASTICSEARCH_PASSWORD", "second-secret")
    assert shared_client(Settings()) is not first
    assert not any("secret" in str(part) for key in _clients for part in key)
