"""The Kibana saved objects in ``kibana/`` refer only to fields that exist in ``mappings/``.

No Kibana runs here: the import itself is exercised by hand (``pressindex kibana import URL``).
"""

from __future__ import annotations

import email.parser
import email.policy
import json

from pressindex.index.indices import mapped_paths
from pressindex.index.kibana import _multipart, load_objects, referenced_fields, with_alias


def test_every_referenced_field_is_mapped():
    paths = mapped_paths()
    fields = list(referenced_fields(load_objects()))
    assert len(fields) >= 10
    missing = [(obj, field) for obj, field in fields if field not in paths]
    assert not missing, missing


def test_the_export_holds_the_promised_objects():
    objects = {o["id"]: o for o in load_objects()}
    views = [o for o in objects.values() if o["type"] == "index-pattern"]
    assert [(v["attributes"]["title"], v["attributes"]["timeFieldName"]) for v in views] == [
        ("press", "published")
    ]
    search = next(o for o in objects.values() if o["type"] == "search")
    assert {"agencies", "regional_services", "dateline", "language", "source"} <= set(
        search["attributes"]["columns"]
    )
    # the facet-like fields of wire copy (issue 19)
    assert {"format", "wire_service", "urgency", "category_name", "genre", "is_correction"} <= set(
        search["attributes"]["columns"]
    )
    dashboard = next(o for o in objects.values() if o["type"] == "dashboard")
    panel_fields = set()
    for ref in dashboard["references"]:
        assert ref["id"] in objects, ref  # every panel is in the export
        panel_fields |= {f for obj, f in referenced_fields([objects[ref["id"]]])}
    assert {"agencies", "language", "dateline", "published", "category_name", "urgency"} <= panel_fields
    month = objects["pressindex-per-month"]
    agg = json.loads(month["attributes"]["visState"])["aggs"][1]
    assert (agg["type"], agg["params"]["interval"], agg["params"]["time_zone"]) == (
        "date_histogram",
        "M",
        "Europe/Berlin",
    )
    for obj in objects.values():
        for ref in obj["references"]:
            assert ref["id"] in objects, (obj["id"], ref)


def test_import_body_is_the_export_as_one_multipart_file():
    objects = with_alias(load_objects(), "news")
    content = "".join(json.dumps(o) + "\n" for o in objects).encode()
    body, content_type = _multipart("pressindex.ndjson", content)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    (part,) = message.iter_parts()
    assert part.get_filename() == "pressindex.ndjson"
    assert part.get_payload(decode=True) == content
    views = [json.loads(line) for line in content.decode().splitlines() if '"index-pattern"' in line]
    assert views[0]["attributes"]["title"] == "news"


def test_import_command_reports_an_unreachable_kibana(runner):
    from pressindex.cli.admin import kibana

    result = runner.invoke(kibana, ["import", "http://127.0.0.1:9"])  # nothing listens on the discard port
    assert result.exit_code == 1
    assert "unreachable" in result.output


def test_the_data_view_is_the_filtered_alias():
    """Kibana searches the alias, whose filter (press.json ``search_filter``) hides embargoed
    documents, withdrawal notices and withdrawn stories; the data view adds no filter of its own."""
    from pressindex.index.indices import search_filter

    [view] = [o for o in load_objects() if o["type"] == "index-pattern"]
    assert view["attributes"]["title"] == "press"
    clauses = search_filter()["bool"]["must_not"]
    assert {"range": {"embargo_until": {"gt": "now"}}} in clauses
    assert {"term": {"kind": "withdrawal"}} in clauses
    assert {"exists": {"field": "withdrawn_by"}} in clauses


# -- the ingestion health dashboard over <alias>-runs (issue 22) ---------------------------------


def _runs_objects() -> dict[str, dict]:
    from pressindex.index.kibana import RUNS_EXPORT_FILE, export_path

    return {o["id"]: o for o in load_objects(export_path(RUNS_EXPORT_FILE))}


def test_every_field_the_ingestion_health_objects_name_is_in_the_runs_mapping():
    from pressindex.index.indices import load_definition

    paths = mapped_paths(load_definition("runs.json"))
    fields = list(referenced_fields(list(_runs_objects().values())))
    assert len(fields) >= 20
    missing = [(obj, field) for obj, field in fields if field not in paths]
    assert not missing, missing


def test_the_ingestion_health_dashboard_shows_nights_quarantine_reasons_and_coverage():
    objects = _runs_objects()
    views = [o for o in objects.values() if o["type"] == "index-pattern"]
    assert [(v["attributes"]["title"], v["attributes"]["timeFieldName"]) for v in views] == [
        ("press-runs", "started")
    ]
    (dashboard,) = [o for o in objects.values() if o["type"] == "dashboard"]
    panel_fields = set()
    for ref in dashboard["references"]:
        assert ref["id"] in objects, ref
        panel_fields |= {f for _obj, f in referenced_fields([objects[ref["id"]]])}
    assert {"documents_indexed", "files_quarantined", "quarantined.empty", "quarantined.parse_timeout",
            "status", "degraded_reasons"} <= panel_fields  # fmt: skip
    assert {
        f"coverage.{f}" for f in ("dateline", "agency", "published", "dpa_id", "language_und")
    } <= panel_fields
    per_night = json.loads(objects["pressindex-runs-per-night"]["attributes"]["visState"])["aggs"][-1]
    assert (per_night["params"]["field"], per_night["params"]["interval"], per_night["params"]["time_zone"]) == (
        "started", "d", "Europe/Berlin",
    )  # fmt: skip
    for obj in objects.values():
        for ref in obj["references"]:
            assert ref["id"] in objects, (obj["id"], ref)


def test_import_sends_both_exports_with_the_runs_view_on_the_aliass_runs_index():
    from pressindex.index.kibana import load_all_objects

    objects = with_alias(load_all_objects(), "news")
    views = {o["id"]: o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"}
    assert views == {"pressindex-articles": "news", "pressindex-runs": "news-runs"}
    assert len({o["id"] for o in objects}) == len(objects)  # no id in both files


def test_stories_have_a_saved_search_and_two_dashboard_panels():
    """Issue 21: one row per story (its representative), the largest stories of the last days and
    a histogram of copies per story, on the overview dashboard."""
    objects = {o["id"]: o for o in load_objects()}
    stories = objects["pressindex-stories-search"]
    assert {"story_size", "story_id"} <= set(stories["attributes"]["columns"])
    assert "story_representative : true" in stories["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"]
    largest = json.loads(objects["pressindex-largest-stories"]["attributes"]["visState"])["aggs"]
    assert [(a["type"], a["params"].get("field")) for a in largest if a["schema"] == "bucket"] == [
        ("terms", "story_id")
    ]
    histogram = json.loads(objects["pressindex-copies-per-story"]["attributes"]["visState"])["aggs"]
    assert ("histogram", "story_size", 1) in [
        (a["type"], a["params"].get("field"), a["params"].get("interval")) for a in histogram
    ]
    panels = {ref["id"] for ref in objects["pressindex-overview"]["references"]}
    assert {"pressindex-largest-stories", "pressindex-copies-per-story"} <= panels
