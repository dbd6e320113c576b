"""Loading while parsing: documents go out in several concurrent requests, nothing is lost, and
copies of one id keep file order — against the real local node."""

from __future__ import annotations

import pytest
from wire_factory import article_text

from pressindex.errors import TransientLoadError
from pressindex.index.indices import ensure_index
from pressindex.ingest.load import StreamingLoader
from pressindex.model import BulkDocument
from pressindex.parse import parse_document

STAMP = {"run_id": "test-run", "ingested_at": "2025-01-01T00:00:00+00:00"}


def _doc(n: int, *, dpa_story: str | None = None, path: str | None = None) -> BulkDocument:
    raw = article_text(n, dpa_story=dpa_story).encode()
    article = parse_document(raw, path or f"/inbox/{n}.txt")
    return BulkDocument.from_article(article, **STAMP)


@pytest.fixture
def index(es, alias):
    ensure_index(es, alias)
    return alias


def _load(es, index, docs, **kwargs) -> StreamingLoader:
    with StreamingLoader(es, index, **kwargs) as loader:
        for doc in docs:
            loader.add(doc)
    es.indices.refresh(index=index)
    return loader


def test_every_document_arrives_over_several_concurrent_requests(es, index):
    docs = [_doc(n) for n in range(60)]
    loader = _load(es, index, docs, chunk_bytes=8 * 1024, concurrency=3)  # a few documents per request
    assert es.count(index=index)["count"] == 60
    assert loader.report.indexed == 60
    assert loader.report.outcomes == {(d.source_path, d.id): "indexed" for d in docs}
    hit = es.get(index=index, id=docs[7].id)["_source"]
    assert hit["source_path"] == "/inbox/7.txt" and hit["run_id"] == "test-run"


def test_an_older_dpa_version_after_a_newer_one_is_superseded(es, index):
    newer = _doc(1, dpa_story="210413-99-186470/5", path="/inbox/v5.txt")
    older = _doc(2, dpa_story="210413-99-186470/3", path="/inbox/v3.txt")
    filler = [_doc(n) for n in range(10, 30)]
    loader = _load(es, index, [newer, *filler, older], chunk_bytes=4 * 1024, concurrency=2)
    assert es.get(index=index, id=newer.id)["_source"]["dpa_version"] == 5
    assert loader.report.outcomes[newer.source_path, newer.id] == "indexed"
    assert loader.report.outcomes[older.source_path, older.id] == "superseded"  # refused: version 5 was there
    assert es.count(index=index)["count"] == 21


def test_a_newer_dpa_version_after_an_older_one_wins(es, index):
    older = _doc(2, dpa_story="210413-99-186470/3", path="/inbox/v3.txt")
    newer = _doc(1, dpa_story="210413-99-186470/5", path="/inbox/v5.txt")
    filler = [_doc(n) for n in range(10, 30)]
    loader = _load(es, index, [older, *filler, newer], chunk_bytes=4 * 1024, concurrency=2)
    source = es.get(index=index, id=newer.id)["_source"]
    assert (source["dpa_version"], source["source_path"]) == (5, "/inbox/v5.txt")
    assert (
        loader.report.outcomes[older.source_path, older.id],
        loader.report.outcomes[newer.source_path, newer.id],
    ) == (
        "indexed",
        "indexed",
    )


@pytest.mark.parametrize("chunk_bytes", [1 << 20, 4 * 1024], ids=["one-request", "several-requests"])
def test_three_versions_in_any_order_end_with_the_newest(es, index, chunk_bytes):
    v1, v5, v3 = (
        _doc(n, dpa_story=f"210413-99-186470/{v}", path=f"/inbox/v{v}.txt")
        for n, v in ((1, 1), (2, 5), (3, 3))
    )
    _load(es, index, [v1, *[_doc(n) for n in range(10, 20)], v5, v3], chunk_bytes=chunk_bytes)
    source = es.get(index=index, id=v5.id)["_source"]
    assert (source["dpa_version"], source["source_path"]) == (5, "/inbox/v5.txt")
    assert es.count(index=index)["count"] == 11


def test_the_same_text_twice_is_indexed_once(es, index):
    first, again = _doc(3, path="/inbox/a.txt"), _doc(3, path="/inbox/b.txt")
    assert first.id == again.id
    loader = _load(es, index, [first, *[_doc(n) for n in range(10, 30)], again], chunk_bytes=4 * 1024)
    assert es.count(index=index)["count"] == 21
    assert loader.report.outcomes[first.source_path, first.id] == "indexed"
    assert (
        loader.report.outcomes[again.source_path, again.id] == "unchanged"
    )  # its text was there: the first file's


def test_a_refused_document_is_reported_and_the_rest_arrive(es, index):
    docs = [_doc(n) for n in range(5)]
    bad = BulkDocument(
        **{
            **_fields(docs[0]),
            "id": "bad",
            "source_path": "/inbox/bad.txt",
            "source": b'{"published": "not a date"}',
        }
    )
    loader = _load(es, index, [*docs, bad], chunk_bytes=2 * 1024)
    assert es.count(index=index)["count"] == 5
    assert [r.id for r in loader.report.rejected] == ["bad"]
    assert loader.report.outcomes[bad.source_path, bad.id] == "rejected"


def test_an_unreachable_cluster_fails_after_every_request_ended(es_settings, index):
    from pressindex.index.es_client import connect

    down = connect(es_settings.model_copy(update={"elasticsearch_url": "http://127.0.0.1:9"}))
    with pytest.raises(TransientLoadError):
        _load(down.options(max_retries=0), index, [_doc(n) for n in range(10)], chunk_bytes=2 * 1024)


def _fields(doc: BulkDocument) -> dict:
    return {name: getattr(doc, name) for name in BulkDocument.__slots__}


def test_two_versions_in_one_batch_are_recorded_file_by_file(es, index, tmp_path):
    from pressindex.ingest import state
    from pressindex.ingest.batch import process_batch

    state.ensure_state_index(es, index)
    newer, older = tmp_path / "a-v5.txt", tmp_path / "b-v3.txt"
    newer.write_text(article_text(1, dpa_story="210413-99-186470/5"), encoding="utf-8")
    older.write_text(article_text(2, dpa_story="210413-99-186470/3"), encoding="utf-8")
    report = process_batch(
        es, index, [(str(newer), None), (str(older), None)], max_bytes=1 << 20,
        quarantine_dir=tmp_path / "quarantine", run_id="test-run",
    )  # fmt: skip
    assert (report.indexed, report.superseded) == (1, 1)
    records = state.lookup(es, index, [str(newer), str(older)])
    assert records[str(newer)]["status"] == state.INDEXED
    assert records[str(older)]["status"] == state.SUPERSEDED
    assert es.get(index=index, id="dpa-210413-99-186470")["_source"]["dpa_version"] == 5
