"""Reading a source file: whole, bounded by the size limit, also when it grows while being read."""

from __future__ import annotations

import pytest

from pressindex.errors import TooLarge, Unreadable
from pressindex.ingest import pipeline


def test_reads_the_whole_file(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 5000)
    assert pipeline.read_file(path, max_bytes=5000) == b"x" * 5000
    (tmp_path / "empty.txt").write_bytes(b"")
    assert pipeline.read_file(tmp_path / "empty.txt", max_bytes=10) == b""


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 101)
    with pytest.raises(TooLarge, match="101 bytes"):
        pipeline.read_file(path, max_bytes=100)


def test_a_growing_file_is_read_to_one_byte_past_the_limit(tmp_path, monkeypatch) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"x" * 10)
    real_stat = pipeline.os.stat

    def stat_then_grow(p, *args, **kwargs):
        result = real_stat(p, *args, **kwargs)
        path.write_bytes(b"y" * 500)  # a writer appends between our stat and our read
        return result

    monkeypatch.setattr(pipeline.os, "stat", stat_then_grow)
    assert pipeline.read_file(path, max_bytes=100) == b"y" * 101  # the decoder then refuses it as too large
    assert pipeline.read_file(path, max_bytes=1000) == b"y" * 500  # under the limit: all of it


def test_an_unreadable_path_says_why(tmp_path) -> None:
    with pytest.raises(Unreadable, match="cannot read"):
        pipeline.read_file(tmp_path / "missing.txt", max_bytes=100)


def test_short_reads_are_read_on_to_the_end(tmp_path, monkeypatch) -> None:
    path = tmp_path / "nfs.txt"
    path.write_bytes(bytes(range(256)) * 10)
    real_open = open

    class Trickle:  # a file system that hands out at most 100 bytes per read call
        def __init__(self, fh):
            self.fh = fh

        def read(self, n):
            return self.fh.read(min(n, 100))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr("builtins.open", lambda *a, **k: Trickle(real_open(*a, **k)))
    assert pipeline.read_file(path, max_bytes=10_000) == bytes(range(256)) * 10
