"""A copy under embargo neither represents its story nor counts in its size until the embargo ends,
and then the story is finished again by the next run, with no operator's action (found in the
acceptance check of issues 19 and 21: a longer embargoed copy became the representative and
Kibana's story views, which list representatives, hid the whole story; an embargoed copy counted in
story_size). Real Elasticsearch, real Prefect; invented items (tests/structured_factory.py)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from structured_factory import digitalwires_document, story

from pressindex.cli.main import cli, load_flow
from pressindex.index.indices import current_index
from pressindex.stories.assign import release_embargoed
from pressindex.stories.store import write_fields

FIRST = (
    "Musterhafen (dpa/lni) - Der Deich vor Kleinsiel wird auf einer Länge von drei Kilometern erhöht. "
    "Anwohner müssen ab dem Frühjahr mit Baulärm rechnen, teilte der Landkreis mit.",
    "Das Land trägt die Kosten von elf Millionen Euro vollständig. Die Arbeiten sollen zwei Jahre dauern.",
)
LONGER = (
    *FIRST,
    "Am Abend informierte der Deichverband die Anwohner in der Turnhalle über die Bauabschnitte.",
)
OTHER = (
    "Musterhafen (dpa/lni) - Die Sternwarte auf dem Kirchberg bekommt ein neues Teleskop. Ein Förderverein "
    "hat dafür seit Jahren Spenden gesammelt.",
    "Führungen gibt es künftig jeden zweiten Freitag, sagte die Leiterin der Sternwarte.",
)
SHOWN = {"term": {"story_representative": True}}  # what Kibana's story views list


def _item(key: str, paragraphs: tuple[str, ...], title: str, embargoed: datetime | None = None) -> bytes:
    return digitalwires_document(
        story(urn=f"urn:newsml:dpa.com:20090101:{key}", headline=title, teaser=None, paragraphs=paragraphs,
              embargoed=embargoed.isoformat() if embargoed else None)
    )  # fmt: skip


def _ingest(runner, alias, path) -> dict:
    result = runner.invoke(cli, ["ingest", str(path), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _representatives(es, index) -> dict[str, tuple[str, int]]:
    """story_id -> (representative id, story_size) as ``index`` shows them."""
    es.indices.refresh(index=index)
    hits = es.search(index=index, query=SHOWN, size=50)["hits"]["hits"]
    return {h["_source"]["story_id"]: (h["_id"], h["_source"]["story_size"]) for h in hits}


def _deich_inbox(tmp_path, serial: int, moment: datetime):
    """An inbox with a public copy (``dpa-250314-99-<serial>``) and a longer one embargoed until
    ``moment`` (``<serial + 1>``)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a-public.json").write_bytes(_item(f"250314-99-{serial}", FIRST, "Deich wird erhöht"))
    (inbox / "b-embargoed.json").write_bytes(
        _item(f"250314-99-{serial + 1}", LONGER, "Deich vor Kleinsiel wird erhöht", moment)
    )
    return inbox


def test_an_embargoed_copy_represents_and_counts_only_once_its_embargo_ended(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
    far = datetime.now(UTC).replace(microsecond=0) + timedelta(days=300)
    inbox = _deich_inbox(tmp_path, 400001, moment)
    (inbox / "c-hidden.json").write_bytes(_item("250314-99-400003", OTHER, "Neues Teleskop", far))
    (inbox / "d-hidden.json").write_bytes(
        _item(
            "250314-99-400004",
            (*OTHER, "Der Verein lädt zur Einweihung ein."),
            "Neues Teleskop für die Sternwarte",
            far,
        )
    )
    assert _ingest(runner, alias, inbox)["documents"] == 4
    assert time.time() < moment.timestamp(), "the run took longer than the embargo: make it longer"
    index = current_index(es, alias)
    es.indices.refresh(index=index)
    stories = {h["_id"]: h["_source"]["story_id"] for h in es.search(index=index, size=10)["hits"]["hits"]}
    deich, teleskop = stories["dpa-250314-99-400001"], stories["dpa-250314-99-400003"]
    assert stories["dpa-250314-99-400002"] == deich and stories["dpa-250314-99-400004"] == teleskop

    # before the moment, through the alias as search and Kibana read it: the public copy represents
    # the story, counted alone; the fully embargoed story is found by nothing
    assert _representatives(es, alias) == {deich: ("dpa-250314-99-400001", 1)}
    # in the concrete index: the embargoed story has its most complete copy as representative, size 1
    assert _representatives(es, index)[teleskop] == ("dpa-250314-99-400004", 1)

    time.sleep(max(0.0, moment.timestamp() - time.time()) + 1.5)
    # after the moment, before any run: the longer copy is found, the story still consistent
    assert _representatives(es, alias) == {deich: ("dpa-250314-99-400001", 1)}
    # the next run (nothing new in the inbox) finishes the story again
    assert _ingest(runner, alias, inbox)["processed"] == 0
    assert _representatives(es, alias) == {deich: ("dpa-250314-99-400002", 2)}
    assert _representatives(es, index)[teleskop] == ("dpa-250314-99-400004", 1)
    # a story already right writes nothing
    assert release_embargoed(es, index, 7).written == 0

    # a later run's public copy joins the embargoed story (finished after the load, as a story that
    # reaches back): it represents it, counted alone, and the story shows
    (inbox / "e-public.json").write_bytes(_item("250314-99-400005", OTHER, "Teleskop für Sternwarte"))
    assert _ingest(runner, alias, inbox)["documents"] == 1
    shown = _representatives(es, alias)
    assert shown == {deich: ("dpa-250314-99-400002", 2), teleskop: ("dpa-250314-99-400005", 1)}


def test_between_runs_the_scheduled_release_finishes_the_story(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    from prefect import get_client

    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=14)
    inbox = _deich_inbox(tmp_path, 410001, moment)
    assert _ingest(runner, alias, inbox)["documents"] == 2
    assert time.time() < moment.timestamp(), "the run took longer than the embargo: make it longer"
    [(story_id, before)] = _representatives(es, alias).items()
    assert before == ("dpa-250314-99-410001", 1)

    release = load_flow("ingest", "release_embargoes")
    assert release(index=alias)["written"] == 0  # nothing ended yet
    # a story decided the old way (the embargoed copy representing, counted) is set right
    index = current_index(es, alias)
    old = {"dpa-250314-99-410001": {"story_representative": False, "story_size": None},
           "dpa-250314-99-410002": {"story_representative": True, "story_size": 2}}  # fmt: skip
    assert write_fields(es, index, old) == 2
    es.indices.refresh(index=index)
    assert _representatives(es, alias) == {}  # the story hidden from the story views
    assert release(index=alias)["written"] == 2
    assert _representatives(es, alias) == {story_id: ("dpa-250314-99-410001", 1)}
    time.sleep(max(0.0, moment.timestamp() - time.time()) + 1.5)
    assert release(index=alias)["written"] >= 1
    assert _representatives(es, alias) == {story_id: ("dpa-250314-99-410002", 2)}
    assert release(index=alias)["written"] == 0  # idempotent

    # served beside the nightly deployment, every quarter of an hour, one run at a time
    deployment = load_flow("ingest", "embargo_deployment")()
    with get_client(sync_client=True) as client:
        stored = client.read_deployment(deployment.apply())
    assert stored.name == "release-embargoes" and stored.schedules[0].schedule.cron == "*/15 * * * *"
