"""Issue 19 through ``pressindex ingest``: wire files of several messages, withdrawal notices and
non-public contact blocks — against the real Elasticsearch node and a real Prefect server.

Messages are composed with tests/wire_formats_factory.py (invented text, example.org addresses,
0000 numbers).
"""

from __future__ import annotations

import json
from pathlib import Path

from elasticsearch.helpers import scan
from prefect_records import flow_run_record
from wire_formats_factory import NOTIZBLOCK, SECRET_MAILS, SECRET_PHONES, de_story, iptc, nonpublic_de

from pressindex.cli.main import cli
from pressindex.index.indices import current_index
from pressindex.ingest import state

SECRETS = SECRET_PHONES + SECRET_MAILS


def _ingest(runner, alias, *paths) -> dict:
    result = runner.invoke(cli, ["ingest", *map(str, paths), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output.strip().splitlines()[-1])


def _story(seq: int, title: str, place: str, key: str | None = None, *, extra: list[str] = ()) -> bytes:
    lines = [f"{title} =", "", *de_story(place, "dpa", "die Lage"), *extra]
    if key:
        lines += [f"© dpa-infocom, dpa:{key}/1", ""]
    return iptc(f"bdt{seq:04d} 4 vm 100  dpa {seq:04d}", "Verkehr/", lines, "140918 Mär 25").encode("utf-8")


def _searchable(es, alias) -> set[str]:
    es.indices.refresh(index=alias)
    return {h["_id"] for h in es.search(index=alias, size=100, source=False)["hits"]["hits"]}


def _dump(es, index: str) -> str:
    return "\n".join(json.dumps(h["_source"], ensure_ascii=False) for h in scan(es, index=index))


def _leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


# -- non-public notes ---------------------------------------------------------------------------


def test_a_quarantined_wire_file_shows_no_contact_in_its_record_or_reason_file(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path, monkeypatch, caplog
):
    """``quarantine show`` prints the record, never the file; the copy is the operator's raw file."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    message = _story(
        1, "Neue Brücke über die Leine freigegeben", "Peine", extra=[*NOTIZBLOCK, *nonpublic_de(0)]
    )
    big = inbox / "too-large.txt"
    big.write_bytes(message * 50)
    monkeypatch.setenv("PRESSINDEX_MAX_FILE_BYTES", str(len(message) * 10))
    summary = _ingest(runner, alias, inbox)
    assert summary["quarantined"] == {"too_large": 1}
    shown = runner.invoke(cli, ["quarantine", "show", str(big), "--index", alias])
    listed = runner.invoke(cli, ["quarantine", "list", "--index", alias, "--json"])
    assert shown.exit_code == 0 and listed.exit_code == 0
    reasons = "\n".join(p.read_text(encoding="utf-8") for p in quarantine_dir.glob("*.reason.json"))
    assert reasons
    copies = [p for p in quarantine_dir.iterdir() if not p.name.endswith(".reason.json")]
    assert copies and _leaked(copies[0].read_bytes().decode("utf-8"))  # the exception: the raw copy
    for where, text in {
        "quarantine show": shown.output, "quarantine list": listed.output, "reason files": reasons,
        "state index": _dump(es, state.state_alias(alias)), "log": caplog.text,
        "run record": flow_run_record(summary["run_id"]),
    }.items():  # fmt: skip
        assert not _leaked(text), where


def test_no_contact_of_a_nonpublic_block_is_indexed_recorded_logged_or_printed(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path, caplog
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(3):
        (inbox / f"story-{i}.txt").write_bytes(
            _story(10 + i, f"Brücke Nummer {i} freigegeben", "Peine", extra=[*NOTIZBLOCK, *nonpublic_de(i)])
        )
    # the marker worded otherwise (a soft hyphen inside its word), with no contact heading after it
    for i, marker in enumerate(
        [
            "Folgende Angaben sind nicht für die Veröffent\xadlichung bestimmt:",
            "Contact details (not for publication):",
        ]
    ):
        block = [marker, f"Quelle: {SECRET_PHONES[i]}, {SECRET_MAILS[i]}", ""]
        (inbox / f"worded-{i}.txt").write_bytes(
            _story(20 + i, f"Steg Nummer {i} offen", "Peine", extra=block)
        )
    summary = _ingest(runner, alias, inbox)
    assert summary["indexed"] == 5
    parsed = runner.invoke(cli, ["parse", *map(str, sorted(inbox.iterdir()))])
    assert parsed.exit_code == 0, parsed.output
    for where, text in {
        "index": _dump(es, current_index(es, alias)), "state index": _dump(es, state.state_alias(alias)),
        "parse output": parsed.output, "log": caplog.text, "run record": flow_run_record(summary["run_id"]),
        "quarantine": "\n".join(p.read_text("utf-8", "replace") for p in quarantine_dir.glob("*")),
    }.items():  # fmt: skip
        assert not _leaked(text), where


# -- several messages in a file -----------------------------------------------------------------


def test_a_file_of_several_messages_gives_one_document_each_and_lists_them(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    keys = [f"250314-930-20000{i}" for i in range(3)]
    path = inbox / "three.txt"
    path.write_bytes(
        b"".join(_story(20 + i, f"Strecke {i} gesperrt", "Kassel", k) for i, k in enumerate(keys))
    )
    summary = _ingest(runner, alias, inbox)
    assert (summary["processed"], summary["documents"]) == (1, 3)
    record = state.lookup(es, alias, [str(path)])[str(path)]
    assert record["doc_ids"] == [f"dpa-{k}" for k in keys]
    assert _searchable(es, alias) == {f"dpa-{k}" for k in keys}
    parsed = runner.invoke(cli, ["parse", str(path)])
    assert [json.loads(line)["message_index"] for line in parsed.output.splitlines()] == [0, 1, 2]
    assert _ingest(runner, alias, inbox)["processed"] == 0  # unchanged: skipped by checksum


# -- withdrawals --------------------------------------------------------------------------------


def _kill_by_id(seq: int, key: str) -> bytes:
    return iptc(f"bdt{seq:04d} 2 vm 40  dpa {seq:04d}", "Unfälle/",
                ["(Achtung)", "Meldung zu Brückeneinsturz zurückgezogen =", "",
                 f"Berlin (dpa) - Die Meldung dpa:{key} über einen Brückeneinsturz",
                 "in Beispielstadt wird zurückgezogen. Bitte nicht verwenden.", ""]).encode("utf-8")  # fmt: skip


def test_withdrawal_notices_in_the_same_run_and_before_the_story(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # the same run: story and notice
    (inbox / "a-story.txt").write_bytes(
        _story(30, "Brücke in Beispielstadt eingestürzt", "Beispielstadt", "250314-930-300001")
    )
    (inbox / "b-kill.txt").write_bytes(_kill_by_id(31, "250314-930-300001"))
    # the notice first, the story in a later run
    (inbox / "c-kill.txt").write_bytes(_kill_by_id(32, "250314-930-300002"))
    (inbox / "d-other.txt").write_bytes(
        _story(33, "Stadtfest in Musterhausen", "Musterhausen", "250314-930-300003")
    )
    summary = _ingest(runner, alias, inbox)
    assert summary["withdrawn"] == 1
    assert _searchable(es, alias) == {"dpa-250314-930-300003"}  # no story withdrawn, no notice
    kill = state.lookup(es, alias, [str(inbox / "b-kill.txt")])[str(inbox / "b-kill.txt")]
    assert kill["withdrew"] == ["dpa-250314-930-300001"]

    (inbox / "e-late-story.txt").write_bytes(
        _story(34, "Brücke in Adorf eingestürzt", "Adorf", "250314-930-300002")
    )
    assert _ingest(runner, alias, inbox)["withdrawn"] == 1
    assert _searchable(es, alias) == {"dpa-250314-930-300003"}
    early = state.lookup(es, alias, [str(inbox / "c-kill.txt")])[str(inbox / "c-kill.txt")]
    assert early["withdrew"] == ["dpa-250314-930-300002"]
    assert Path(inbox / "e-late-story.txt").exists()
