"""What the compound sub-field costs: indexing rate and index size on the 10kGNAD test articles.

    uv run python bench/index_cost.py [--csv PATH] [--copies 3] [--rounds 3]

Indexes the articles (``label;'text'`` lines; the text stays outside the repository) into
throwaway indices built from ``mappings/press.json``: once as defined, once without the
``.decomp`` sub-fields. Each round indexes every variant once, in alternating order; the table
shows the median rate. Refresh is off and replicas are 0 while loading, as for a migration.
The issue's budget: the compound sub-field may cost at most half the indexing rate (ratio ≥ 0.5).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import statistics
import sys
import time
import uuid
from pathlib import Path

from elasticsearch.helpers import streaming_bulk

from pressindex.config import Settings
from pressindex.index.es_client import connect
from pressindex.index.indices import create_index, index_definition
from pressindex.languages import language_fields
from pressindex.model import Article

DEFAULT_CSV = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "10kgnad_test" / "test.csv"


def _first_sentence(text: str, limit: int = 240) -> tuple[str, str]:
    cut = text.find(". ")
    return (text[: cut + 1], text[cut + 2 :]) if 0 < cut < limit else (text[:80], text)


def read_articles(path: Path) -> list[dict]:
    """``label;'text'`` lines → ``_source`` documents as the loader writes them (``Article.to_source()``).

    The first sentence stands in for the headline, the next one for the lead, and the body repeats
    the lead, as in the wire stories.
    """
    docs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        label, _, text = line.partition(";")
        text = text.strip().strip("'")
        if not text:
            continue
        title, body = _first_sentence(text)
        lead, _ = _first_sentence(body)
        digest = hashlib.sha1(text.encode()).hexdigest()
        article = Article(
            id=f"sha1-{digest}",
            source_path=f"10kgnad/test/{n:05d}.txt",
            title=title,
            lead=lead,
            body=body,
            language="de",
            language_confidence=0.99,
            published="2016-01-01",
            published_precision="day",
            published_source="header",
            content_sha256=hashlib.sha256(line.encode()).hexdigest(),
            text_sha1=digest,
        )
        source = article.to_source()
        source.update(language_fields(source))
        source.update(ingested_at="2016-01-02T00:00:00+00:00", run_id="bench", source=label)
        docs.append(source)
    return docs


def without_decomp(definition: dict) -> dict:
    plain = copy.deepcopy(definition)
    for name in ("title", "lead", "body"):
        plain["mappings"]["properties"][name]["fields"].pop("decomp", None)
    return plain


def index_once(es, definition: dict, docs: list[dict], copies: int) -> tuple[float, float, int]:
    """Wall seconds to index ``copies`` × ``docs`` into a fresh index (until searchable), the seconds
    Elasticsearch itself spent indexing them (``index_time_in_millis``), and the index size in bytes."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    create_index(es, name, definition, settings={"number_of_replicas": 0, "refresh_interval": "-1"})
    es.cluster.health(index=name, wait_for_status="yellow", timeout="60s")
    actions = (
        {"_index": name, "_id": f"{c}-{i}", "_source": doc}
        for c in range(copies)
        for i, doc in enumerate(docs)
    )
    try:
        started = time.perf_counter()
        for ok, item in streaming_bulk(
            es, actions, chunk_size=500, max_chunk_bytes=10 * 1024 * 1024, max_retries=3
        ):
            if not ok:
                raise RuntimeError(item)
        es.indices.refresh(index=name)
        seconds = time.perf_counter() - started
        es.indices.forcemerge(index=name, max_num_segments=1)
        stats = es.indices.stats(index=name, metric="store,indexing")["indices"][name]["primaries"]
        server = stats["indexing"]["index_time_in_millis"] / 1000
        return seconds, server, stats["store"]["size_in_bytes"]
    finally:
        es.indices.delete(index=name, ignore_unavailable=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--copies", type=int, default=3, help="index the articles this many times per run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)

    docs = read_articles(args.csv)
    text_mb = sum(len(d["title"]) + len(d["lead"] or "") + len(d["body"]) for d in docs) * args.copies / 1e6
    es = connect(Settings())
    full = index_definition()
    variants = {"with .decomp": full, "without .decomp": without_decomp(full)}
    seconds: dict[str, list[float]] = {k: [] for k in variants}
    server: dict[str, list[float]] = {k: [] for k in variants}
    sizes: dict[str, int] = {}
    for r in range(args.rounds):
        order = list(variants) if r % 2 == 0 else list(reversed(variants))
        for key in order:
            took, inside, size = index_once(es, variants[key], docs, args.copies)
            seconds[key].append(took)
            server[key].append(inside)
            sizes[key] = size

    n = len(docs) * args.copies
    print(f"{len(docs)} articles × {args.copies} = {n} documents, {text_mb:.1f} MB of text")
    print(f"median of {args.rounds} rounds; ES ms/doc is Elasticsearch's own index_time per document")
    print(f"{'variant':<18} {'seconds':>8} {'docs/s':>8} {'MB/s':>6} {'ES ms/doc':>10} {'size MB':>8}")
    rates, costs = {}, {}
    for key in variants:
        took = statistics.median(seconds[key])
        rates[key] = n / took
        costs[key] = statistics.median(server[key]) * 1000 / n
        row = f"{key:<18} {took:>8.1f} {rates[key]:>8.0f} {text_mb / took:>6.2f}"
        print(f"{row} {costs[key]:>10.3f} {sizes[key] / 1e6:>8.1f}")
    ratio = rates["with .decomp"] / rates["without .decomp"]
    server_ratio = costs["without .decomp"] / costs["with .decomp"]
    growth = sizes["with .decomp"] / sizes["without .decomp"]
    verdict = "within" if ratio >= 0.5 else "OVER"
    print(
        f"rate with/without: {ratio:.2f} ({verdict} the budget of 0.5; "
        f"inside Elasticsearch {server_ratio:.2f}); "
        f"size with/without: {growth:.2f}"
    )
    return 0 if ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
