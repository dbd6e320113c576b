"""Versioned indices behind an alias, created from ``mappings/press.json``, the single source of truth.

``<alias>-v<N>`` holds the documents; searches and ingests go through ``<alias>``, a filtered alias
(``search_filter`` in ``press.json``): a search through it finds no document under embargo (the
filter compares ``embargo_until`` with ``now`` at every search, so a story appears at its moment
without anyone touching it), no withdrawal notice and no story a notice withdrew. Writes and gets
by id through the alias are not filtered; operators see everything in ``<alias>-v<N>``. A mapping change
bumps ``_meta.mapping_version`` and is rolled out with :func:`migrate_index` (new index, client-side
reindex, count check, atomic alias swap); the old index stays until :func:`drop_old`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError
from elasticsearch.helpers import scan, streaming_bulk

from pressindex.errors import ConfigError, TerminalLoadError
from pressindex.project import mappings_dir

DEFINITION_FILE = "press.json"


@lru_cache(maxsize=8)
def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the index definition {path}: {exc}") from exc


def load_definition(filename: str, directory: Path | None = None) -> dict:
    """An index definition file of ``mappings/`` (``press.json``, ``files.json``)."""
    return _load((directory or mappings_dir()) / filename)


def index_definition(directory: Path | None = None) -> dict:
    """``{"_meta": …, "settings": …, "mappings": …}`` as written in ``mappings/``."""
    return load_definition(DEFINITION_FILE, directory)


def mapping_version(definition: dict | None = None) -> int:
    return int((definition or index_definition())["_meta"]["mapping_version"])


def versioned_name(alias: str, version: int) -> str:
    return f"{alias}-v{version}"


def mapped_fields(definition: dict | None = None) -> set[str]:
    """Top-level field names of the mapping (what ``Article.to_source`` may write)."""
    return set((definition or index_definition())["mappings"]["properties"])


def mapped_paths(definition: dict | None = None) -> set[str]:
    """Every searchable path of the mapping: fields, object members and sub-fields (``body.decomp``)."""
    paths: set[str] = set()

    def walk(props: dict, prefix: str) -> None:
        for name, spec in props.items():
            path = prefix + name
            paths.add(path)
            walk(spec.get("properties", {}), path + ".")
            walk(spec.get("fields", {}), path + ".")

    walk((definition or index_definition())["mappings"]["properties"], "")
    return paths


def search_filter(definition: dict | None = None) -> dict | None:
    """The filter of the alias that users and Kibana search (``search_filter.filter`` in ``press.json``)."""
    return ((definition or index_definition()).get("search_filter") or {}).get("filter")


def alias_spec(definition: dict | None = None) -> dict:
    """How ``<alias>`` points at its index: the write index, with the search filter."""
    spec: dict = {"is_write_index": True}
    flt = search_filter(definition)
    if flt:
        spec["filter"] = flt
    return spec


def ensure_search_filter(es: Elasticsearch, alias: str, definition: dict | None = None) -> bool:
    """Give ``alias`` the search filter of ``press.json`` when it has another one or none (an index
    made before the filter existed, or before it changed); returns whether it changed anything."""
    try:
        found = es.indices.get_alias(name=alias)
    except NotFoundError:
        return False
    spec = alias_spec(definition)
    changed = False
    for index, entry in found.items():
        current = entry["aliases"].get(alias, {})
        if current.get("filter") != spec.get("filter"):
            write = current.get("is_write_index", len(found) == 1)
            es.indices.put_alias(index=index, name=alias, is_write_index=write, filter=spec.get("filter"))
            changed = True
    return changed


def current_index(es: Elasticsearch, alias: str) -> str | None:
    try:
        names = list(es.indices.get_alias(name=alias))
    except NotFoundError:
        return None
    return names[0] if names else None


def index_version(name: str) -> int | None:
    """``press-v3`` → 3."""
    m = re.search(r"-v(\d+)$", name)
    return int(m.group(1)) if m else None


def ensure_index(es: Elasticsearch, alias: str, definition: dict | None = None) -> str:
    """Return the index behind ``alias``, creating ``<alias>-v<N>`` and the alias when neither exists."""
    definition = definition or index_definition()
    existing = current_index(es, alias)
    if existing:
        version = index_version(existing)
        if version is not None and version < mapping_version(definition):
            add_new_fields(es, existing, definition)  # first: the search filter reads some of them
        ensure_search_filter(es, alias, definition)
        return existing
    name = versioned_name(alias, mapping_version(definition))
    if not es.indices.exists(index=name):
        create_index(es, name, definition, aliases={alias: alias_spec(definition)})
    else:
        es.indices.put_alias(index=name, name=alias, **alias_spec(definition))
    es.cluster.health(index=name, wait_for_status="yellow", timeout="30s")
    return name


def add_new_fields(es: Elasticsearch, index: str, definition: dict | None = None) -> list[str]:
    """Add to ``index`` the fields of the definition it lacks (a release added them); returns their names.

    The mapping is strict, so an index made by an older release would refuse every new document
    until ``pressindex index migrate``. New fields can be added in place; changes to existing
    fields cannot, and still need the migration (it also gives old documents the new fields)."""
    definition = definition or index_definition()
    mapped = es.indices.get_mapping(index=index)[index]["mappings"].get("properties", {})
    missing = {k: v for k, v in definition["mappings"]["properties"].items() if k not in mapped}
    if missing:
        try:
            es.indices.put_mapping(index=index, properties=missing)
        except BadRequestError as exc:
            raise ConfigError(
                f"{index} lacks the fields {sorted(missing)} and they cannot be added in place "
                f"({exc.message}): run `pressindex index migrate`"
            ) from exc
    return sorted(missing)


def create_index(
    es: Elasticsearch,
    name: str,
    definition: dict | None = None,
    *,
    aliases: dict | None = None,
    settings: dict | None = None,
) -> str:
    """Create ``name`` from the definition (plus extra ``settings``); ``_meta`` goes into the mapping."""
    definition = definition or index_definition()
    mappings = {**definition["mappings"], "_meta": definition["_meta"]}
    es.indices.create(
        index=name,
        settings={**definition["settings"], **(settings or {})},
        mappings=mappings,
        aliases=aliases or {},
    )
    return name


# -- migrations ---------------------------------------------------------------------------------


@dataclass
class MigrationReport:
    alias: str
    old_index: str | None
    new_index: str
    old_count: int
    new_count: int
    copied: int
    caught_up: int  # documents ingested during the copy, copied again at the end
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        source = self.old_index or "(nothing)"
        return (
            f"{self.alias}: {source} → {self.new_index}, {self.copied} documents copied, "
            f"count {self.old_count} = {self.new_count}, {self.seconds:.1f}s; "
            f"the old index stays until `pressindex index drop-old`"
        )


def _copy_actions(es: Elasticsearch, source: str, target: str, query: dict | None) -> Iterator[dict]:
    for hit in scan(
        es, index=source, query=query or {"query": {"match_all": {}}}, size=500, scroll="10m", version=True
    ):
        # keep each document's version: dpa stories are written with external versions, and a late,
        # older version must still be refused after the migration
        yield {
            "_op_type": "index",
            "_index": target,
            "_id": hit["_id"],
            "_source": hit["_source"],
            "version": hit["_version"],
            "version_type": "external_gte",
        }


def copy_documents(es: Elasticsearch, source: str, target: str, *, query: dict | None = None) -> int:
    """Client-side reindex (``scan`` + ``streaming_bulk``): works without the reindex module."""
    copied = 0
    failures = []
    for ok, item in streaming_bulk(
        es,
        _copy_actions(es, source, target, query),
        chunk_size=500,
        max_chunk_bytes=10 * 1024 * 1024,
        max_retries=5,
        initial_backoff=1,
        raise_on_error=False,
    ):
        if ok:
            copied += 1
        else:
            failures.append(item)
    if failures:
        first = next(iter(failures[0].values()))
        raise TerminalLoadError(
            f"{len(failures)} documents could not be copied to {target}: {first.get('error')}"
        )
    return copied


def _count(es: Elasticsearch, index: str) -> int:
    es.indices.refresh(index=index)
    return int(es.count(index=index)["count"])


def migrate_index(es: Elasticsearch, alias: str, definition: dict | None = None) -> MigrationReport:
    """Move ``alias`` to a new index built from the current ``mappings/``, without a moment of downtime.

    1. create ``<alias>-v<N>`` (N = ``_meta.mapping_version``, which must be above the current one),
       with refresh off and no replicas while it fills;
    2. copy every document from the current index (scan + bulk, versions kept), then once more the
       documents ingested meanwhile;
    3. check that both hold the same number of documents;
    4. swap the alias in one ``_aliases`` call (remove old, add new as the write index).

    The old index stays (for a rollback) until :func:`drop_old`. On a count mismatch the alias is
    not touched and :class:`TerminalLoadError` says why; the half-filled new index is left for
    inspection and is removed by the next attempt.
    """
    started = time.monotonic()
    definition = definition or index_definition()
    target_version = mapping_version(definition)
    old = current_index(es, alias)
    new = versioned_name(alias, target_version)
    if old is None:
        ensure_index(es, alias, definition)
        return MigrationReport(alias, None, new, 0, 0, 0, 0, time.monotonic() - started)
    old_version = index_version(old) or 0
    if target_version <= old_version:
        raise ConfigError(
            f"{alias} already points at {old} and mappings/press.json has mapping_version {target_version}: "
            "bump _meta.mapping_version to migrate"
        )
    es.indices.delete(index=new, ignore_unavailable=True)  # a failed earlier attempt
    final_settings = {
        "number_of_replicas": definition["settings"].get("number_of_replicas", 1),
        "refresh_interval": definition["settings"].get("refresh_interval", "1s"),
    }
    create_index(es, new, definition, settings={"number_of_replicas": 0, "refresh_interval": "-1"})
    es.cluster.health(index=new, wait_for_status="yellow", timeout="60s")

    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")
    copied = copy_documents(es, old, new)
    # documents ingested through the alias while the copy ran (ingested_at is set by every load)
    caught_up = copy_documents(es, old, new, query={"query": {"range": {"ingested_at": {"gte": since}}}})
    es.indices.put_settings(index=new, settings=final_settings)
    old_count, new_count = _count(es, old), _count(es, new)
    if old_count != new_count:
        raise TerminalLoadError(
            f"{old} holds {old_count} documents but {new} {new_count}: the alias {alias} stays on {old}"
        )
    es.indices.update_aliases(
        actions=[
            {"remove": {"index": old, "alias": alias}},
            {"add": {"index": new, "alias": alias, **alias_spec(definition)}},
        ]
    )
    return MigrationReport(
        alias, old, new, old_count, new_count, copied, caught_up, time.monotonic() - started
    )


def old_indices(es: Elasticsearch, alias: str) -> list[str]:
    """Versioned indices of ``alias`` that the alias no longer points at."""
    current = current_index(es, alias)
    names = es.indices.get(index=f"{alias}-v*", ignore_unavailable=True, allow_no_indices=True)
    return sorted(
        n for n in names if n != current and index_version(n) is not None and n.startswith(f"{alias}-v")
    )


def drop_old(es: Elasticsearch, alias: str) -> list[str]:
    """Delete the versioned indices of ``alias`` that it no longer points at; returns their names."""
    names = old_indices(es, alias)
    if current_index(es, alias) is None:
        raise ConfigError(f"{alias} points at no index: refusing to drop its versioned indices")
    for name in names:
        es.indices.delete(index=name)
    return names


def drop_alias_family(es: Elasticsearch, alias: str) -> None:
    """Delete every versioned index of ``alias`` (tests and ``index drop``)."""
    es.indices.delete(index=f"{alias}-v*", ignore_unavailable=True, allow_no_indices=True)
