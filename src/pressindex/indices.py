"""Create the versioned index behind the alias from ``mappings/press.json``, the single source of truth."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from elasticsearch import Elasticsearch, NotFoundError

from pressindex.errors import ConfigError
from pressindex.project import mappings_dir

DEFINITION_FILE = "press.json"


@lru_cache(maxsize=4)
def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the index definition {path}: {exc}") from exc


def index_definition(directory: Path | None = None) -> dict:
    """``{"_meta": …, "settings": …, "mappings": …}`` as written in ``mappings/``."""
    return _load((directory or mappings_dir()) / DEFINITION_FILE)


def mapping_version(definition: dict | None = None) -> int:
    return int((definition or index_definition())["_meta"]["mapping_version"])


def versioned_name(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def mapped_fields(definition: dict | None = None) -> set[str]:
    """Top-level field names of the mapping (what ``Article.to_source`` may write)."""
    return set((definition or index_definition())["mappings"]["properties"])


def current_index(es: Elasticsearch, alias: str) -> str | None:
    try:
        names = list(es.indices.get_alias(name=alias))
    except NotFoundError:
        return None
    return names[0] if names else None


def ensure_index(es: Elasticsearch, alias: str) -> str:
    """Return the index behind ``alias``, creating ``<alias>-v<N>`` and the alias when neither exists."""
    existing = current_index(es, alias)
    if existing:
        return existing
    definition = index_definition()
    name = versioned_name(alias, mapping_version(definition))
    if not es.indices.exists(index=name):
        es.indices.create(
            index=name,
            settings=definition["settings"],
            mappings=definition["mappings"],
            aliases={alias: {"is_write_index": True}},
        )
    else:
        es.indices.put_alias(index=name, name=alias, is_write_index=True)
    es.cluster.health(index=name, wait_for_status="yellow", timeout="30s")
    return name


def drop_alias_family(es: Elasticsearch, alias: str) -> None:
    """Delete every versioned index of ``alias`` (tests and ``index drop``)."""
    es.indices.delete(index=f"{alias}-v*", ignore_unavailable=True, allow_no_indices=True)
