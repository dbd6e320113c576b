"""The bad-input matrix: every file is indexed correctly or quarantined with its reason, in one run
that finishes, and every other file of the run is indexed."""

from __future__ import annotations

import json
import os
from pathlib import Path

from wire_factory import article_text

from pressindex.cli.main import cli
from pressindex.ingest import state

TEXT = (
    "Berlin (dpa) - Die größte Straße der Stadt wird für den Verkehr gesperrt, teilte die Verwaltung "
    "am Montag mit. Anwohner müssen Umwege über die Brücke fahren.\n\nDie Arbeiten dauern bis März.\n"
)


def _make_matrix(inbox: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Write the files; return what must be indexed (name → a word of its text) and quarantined (name → code)."""
    inbox.mkdir()
    indexed, quarantined = {}, {}

    def put(name: str | bytes, data: bytes) -> Path:
        path = Path(os.fsdecode(os.path.join(os.fsencode(inbox), os.fsencode(name))))
        path.write_bytes(data)
        return path

    put("empty.txt", b"")
    quarantined["empty.txt"] = "empty"
    put("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16)
    quarantined["picture.png"] = "binary"
    put("huge.txt", TEXT.encode() * (50 * 1024 * 1024 // len(TEXT.encode()) + 1))  # 50 MB
    quarantined["huge.txt"] = "too_large"
    put("nul_heavy.bin", b"\x00" * 4096)
    quarantined["nul_heavy.bin"] = "binary"
    put(
        "html_without_text.html",
        b"<html><head><script>var a=1;</script></head><body><div></div></body></html>",
    )
    quarantined["html_without_text.html"] = "no_text"
    os.symlink(inbox / "does-not-exist.txt", inbox / "dangling-link.txt")
    quarantined["dangling-link.txt"] = "unreadable"

    put("truncated_utf8.txt", TEXT.encode()[:-4] + "ö".encode()[:1])
    indexed["truncated_utf8.txt"] = "Straße"
    put("windows1252.txt", TEXT.encode("cp1252"))
    indexed["windows1252.txt"] = "größte"
    put("utf16.txt", TEXT.encode("utf-16"))
    indexed["utf16.txt"] = "Straße"
    put("nul_bytes.txt", TEXT.encode()[:50] + b"\x00\x00" + TEXT.encode()[50:])
    indexed["nul_bytes.txt"] = "Umwege"
    put("page.html", b"<html><body><p>" + TEXT.replace("\n\n", "</p><p>").encode() + b"</p></body></html>")
    indexed["page.html"] = "Brücke"
    put("name with spaces & ümlauts – ✓.txt", article_text(1).encode())
    indexed["name with spaces & ümlauts – ✓.txt"] = "Vorgang Nummer 1"
    put(b"latin1-name-\xe9.txt", article_text(2).encode())
    indexed[os.fsdecode(b"latin1-name-\xe9.txt")] = "Vorgang Nummer 2"
    for n in range(3, 8):  # ordinary files beside the bad ones
        put(f"ordinary_{n}.txt", article_text(n).encode())
        indexed[f"ordinary_{n}.txt"] = f"Vorgang Nummer {n}"

    loop = inbox / "loop"
    loop.mkdir()
    os.symlink(inbox, loop / "back-to-inbox")  # a directory symlink loop: must not trap discovery
    return indexed, quarantined


def test_bad_inputs_are_quarantined_and_the_rest_indexed(
    prefect_harness, runner, es, alias, quarantine_dir, tmp_path
):
    inbox = tmp_path / "inbox"
    indexed, quarantined = _make_matrix(inbox)
    result = runner.invoke(cli, ["ingest", str(inbox), "--index", alias, "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["failed_batches"] == []
    assert summary["files_seen"] == len(indexed) + len(quarantined)

    records = state.lookup(es, alias, [str(inbox / name) for name in [*indexed, *quarantined]])
    got_quarantined = {
        Path(p).name: r["error_code"] for p, r in records.items() if r["status"] == state.QUARANTINED
    }
    assert got_quarantined == quarantined
    for name, word in indexed.items():
        record = records[str(inbox / name)]
        assert record["status"] in state.DONE, (name, record)
        doc = es.get(index=alias, id=record["doc_id"])["_source"]
        assert word in doc["body"], (name, doc["body"][:200])
        assert "\ufffd" not in doc["body"] and "Ã" not in doc["body"]
    reasons = {json.loads(p.read_text())["error"]["code"] for p in quarantine_dir.glob("*.reason.json")}
    assert reasons == set(quarantined.values())
