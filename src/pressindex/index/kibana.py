"""Kibana saved objects kept in the repository (``kibana/pressindex.ndjson``) and their import.

The export holds a data view on the alias with ``published`` as its time field, a saved search
with the facet columns (wire copy's format, wire service, urgency, category, genre and correction
among them), six visualizations (agency, language, dateline, articles per month in Europe/Berlin
time, category and urgency of wire copy) and a dashboard that shows them. The data view is the
filtered alias: Kibana finds no embargoed document, withdrawal notice or withdrawn story either.

``kibana/ingestion-health.ndjson`` holds the run history's objects: a data view on ``<alias>-runs``
(``mappings/runs.json``, time field ``started``), a saved search of the runs and the "ingestion
health" dashboard (documents and quarantine per night, quarantine reasons, coverage per field).
:func:`import_saved_objects` sends both files' objects as one file to
``POST /api/saved_objects/_import?overwrite=true`` (multipart, with the ``kbn-xsrf`` header).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pressindex.errors import ConfigError
from pressindex.project import project_dir

EXPORT_FILE = "pressindex.ndjson"
RUNS_EXPORT_FILE = "ingestion-health.ndjson"
# the data view titles of the exports name the alias ``press``: its runs index is ``press-runs``
EXPORT_ALIAS = "press"


def export_path(name: str = EXPORT_FILE) -> Path:
    return project_dir() / "kibana" / name


def load_all_objects() -> list[dict]:
    """The objects of every export in ``kibana/``: what ``pressindex kibana import`` sends."""
    return [obj for name in (EXPORT_FILE, RUNS_EXPORT_FILE) for obj in load_objects(export_path(name))]


def load_objects(path: Path | None = None) -> list[dict]:
    lines = (path or export_path()).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def with_alias(objects: list[dict], alias: str) -> list[dict]:
    """The objects with every data view pointed at ``alias`` or its runs index (the exports say
    ``press`` and ``press-runs``)."""
    out = []
    for obj in objects:
        if obj["type"] == "index-pattern":
            suffix = obj["attributes"]["title"].removeprefix(EXPORT_ALIAS)  # "" or "-runs"
            obj = {**obj, "attributes": {**obj["attributes"], "title": alias + suffix}}
        out.append(obj)
    return out


def referenced_fields(objects: list[dict]) -> Iterator[tuple[str, str]]:
    """``(object id, field name)`` for every index field the objects name."""
    for obj in objects:
        attrs = obj["attributes"]
        if obj["type"] == "index-pattern" and attrs.get("timeFieldName"):
            yield obj["id"], attrs["timeFieldName"]
        if obj["type"] == "search":
            for column in attrs.get("columns", []):
                yield obj["id"], column
            for field, _order in attrs.get("sort", []):
                yield obj["id"], field
        if obj["type"] == "visualization":
            for agg in json.loads(attrs["visState"]).get("aggs", []):
                if "field" in agg.get("params", {}):
                    yield obj["id"], agg["params"]["field"]


@dataclass
class ImportReport:
    url: str
    success: bool
    imported: int
    errors: list[dict]

    def __str__(self) -> str:
        state = "imported" if self.success else "import failed"
        lines = [f"{self.url}: {state}, {self.imported} saved object(s)"]
        lines += [f"  {e.get('type')} {e.get('id')}: {e.get('error')}" for e in self.errors]
        return "\n".join(lines)


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = f"pressindex-{uuid.uuid4().hex}"
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: application/ndjson\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def import_saved_objects(
    url: str,
    *,
    alias: str = "press",
    path: Path | None = None,
    space: str | None = None,
    username: str | None = None,
    password: str | None = None,
    api_key: str | None = None,
    timeout: float = 60.0,
) -> ImportReport:
    """Import the repository's saved objects (``path``, or every export) into the Kibana at ``url``
    (overwriting older copies)."""
    objects = with_alias(load_objects(path) if path else load_all_objects(), alias)
    content = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects).encode("utf-8")
    body, content_type = _multipart(EXPORT_FILE, content)
    base = url.rstrip("/") + (f"/s/{space}" if space else "")
    request = urllib.request.Request(
        f"{base}/api/saved_objects/_import?overwrite=true",
        data=body,
        method="POST",
        headers={"kbn-xsrf": "pressindex", "Content-Type": content_type},
    )
    if api_key:
        request.add_header("Authorization", f"ApiKey {api_key}")
    elif username:
        token = base64.b64encode(f"{username}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            answer = json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")[:500]
        raise ConfigError(f"Kibana at {url} refused the import ({exc.code}): {detail}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ConfigError(f"Kibana at {url} is unreachable: {exc}") from exc
    return ImportReport(
        url=url,
        success=bool(answer.get("success")),
        imported=int(answer.get("successCount", 0)),
        errors=list(answer.get("errors", [])),
    )
