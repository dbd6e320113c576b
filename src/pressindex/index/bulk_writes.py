"""Bulk writes other than the article load (state records, deletions, partial updates): a refusal
that the caller expects (a document already gone, a record changed meanwhile) is fine, any other
is an error of the hierarchy — transient only for 429/503, so the batch retries just those."""

from __future__ import annotations

from collections.abc import Iterable

from elasticsearch import Elasticsearch
from elasticsearch.helpers import streaming_bulk

from pressindex.errors import TerminalLoadError, TransientLoadError


def write_actions(
    es: Elasticsearch, index: str, actions: Iterable, *, what: str, expected: int | None = None, **options
) -> int:
    """Send ``actions`` (``options`` go to ``streaming_bulk``); returns how many succeeded. An item
    refused with status ``expected`` (a document already gone, a record changed meanwhile) is fine;
    any other refusal raises, transient only for 429/503 (retried by the batch), else terminal."""
    succeeded = 0
    refused = []
    for ok, item in streaming_bulk(es, actions, index=index, raise_on_error=False, max_retries=5, **options):
        if ok:
            succeeded += 1
        elif (status := next(iter(item.values())).get("status")) != expected:
            refused.append((status, item))
    if refused:
        transient = all(status in (429, 503) for status, _ in refused)
        error = TransientLoadError if transient else TerminalLoadError
        raise error(f"{len(refused)} {what} were not written: {refused[0][1]}")
    return succeeded
