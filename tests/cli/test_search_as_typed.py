"""`pressindex search` as a newcomer types it: several words without quotes, and facet values of wire
copy in another case than sent (found in the acceptance check of issues 19 and 21) — against the
real Elasticsearch node. Invented stories only."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pressindex.cli.main import cli
from pressindex.index.indices import ensure_index
from pressindex.ingest.load import load_documents
from pressindex.model import Article, BulkDocument


def _load(es, alias, *articles: Article) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    report = load_documents(
        es, alias, [BulkDocument.from_article(a, run_id="test", ingested_at=now) for a in articles]
    )
    assert not report.rejected, report.rejected
    es.indices.refresh(index=alias)


def _article(doc_id: str, title: str, **fields) -> Article:
    return Article(
        id=doc_id,
        source_path=f"/inbox/{doc_id}.txt",
        title=title,
        body=f"{title}. Ein erfundener Text über die Gemeinde Beispielstadt.",
        language="de",
        content_sha256=doc_id,
        text_sha1=doc_id,
        **fields,
    )


def _ids(runner, alias, *args: str) -> list[str]:
    result = runner.invoke(cli, ["search", *args, "--index", alias, "--all-copies", "--json"])
    assert result.exit_code == 0, result.output
    return sorted(h["id"] for h in json.loads(result.output)["hits"])


def test_words_without_quotes_are_one_query(es, alias, runner):
    ensure_index(es, alias)
    _load(
        es,
        alias,
        _article("sha1-bridge", "Brücke in Beispielstadt gesperrt"),
        _article("sha1-school", "Schule in Beispielstadt eröffnet"),
    )
    assert _ids(runner, alias, "Brücke", "Beispielstadt") == ["sha1-bridge"]
    assert _ids(runner, alias, '"Schule in Beispielstadt"', "eröffnet") == ["sha1-school"]
    assert _ids(runner, alias) == ["sha1-bridge", "sha1-school"]  # no query: every document
    text = runner.invoke(cli, ["search", "Brücke", "Beispielstadt", "--index", alias])
    assert text.exit_code == 0, text.output
    assert "1 hit(s) in 1 stories for 'Brücke Beispielstadt'" in text.output


def test_wire_facet_values_match_in_any_case(es, alias, runner):
    ensure_index(es, alias)
    _load(
        es,
        alias,
        _article("sha1-summary", "Zusammenfassung aus Beispielstadt", format="iptc7901", wire_service="bdt",
                 category="pl", category_name="Politik", genre="Zusammenfassung"),
        _article("sha1-plain", "Text aus Beispielstadt", format="text"),
    )  # fmt: skip
    for args in (
        ["--genre", "zusammenfassung"],
        ["--wire-service", "BDT"],
        ["--category", "PL"],
        ["--category", "politik"],
        ["--format", "IPTC7901"],
    ):
        assert _ids(runner, alias, *args) == ["sha1-summary"], args
    assert _ids(runner, alias, "--genre", "Vorschau") == []


def test_stories_rebuild_says_what_is_wrong_with_its_arguments(es, alias, runner):
    wrong_day = runner.invoke(cli, ["stories", "rebuild", "--since", "14.03.2025", "--index", alias])
    assert wrong_day.exit_code == 2 and "YYYY-MM-DD" in wrong_day.output
    no_index = runner.invoke(cli, ["stories", "rebuild", "--since", "2025-03-14", "--index", alias])
    assert no_index.exit_code == 1 and f"there is no index '{alias}'" in no_index.output
    ensure_index(es, alias)
    empty = runner.invoke(cli, ["stories", "rebuild", "--since", "2025-03-14", "--index", alias])
    assert empty.exit_code == 0, empty.output


def test_a_collapsed_hit_names_each_time_of_its_other_copies_once(es, alias, runner):
    ensure_index(es, alias)
    copies = [
        _article(
            f"sha1-copy-{i}",
            f"Brücke in Beispielstadt gesperrt, Fassung {i}",
            published="2025-03-14T12:00+01:00",
        )
        for i in range(3)
    ]
    _load(es, alias, *copies)
    for i, article in enumerate(copies):  # one story, as the run's assignment writes it
        fields = {"story_id": "20250314-000000000001", "story_representative": i == 0}
        es.update(index=alias, id=article.id, doc=fields, refresh=True)
    result = runner.invoke(cli, ["search", "Beispielstadt", "--index", alias])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.output.splitlines() if "2 more:" in x]
    assert line.count("2025-03-14 12:00") == 1, line
