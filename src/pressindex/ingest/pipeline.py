"""The ingest pipeline as plain Python: discover → read and parse a batch → quarantine rejects.

Parsing runs in a shared pool of supervised parse processes (:func:`parse_pool`), one per core,
each file within a wall-time budget and a memory ceiling (:mod:`pressindex.ingest.parse_pool`).
:func:`prepare_files` hands out documents as the pool finishes them, ready to send, so a batch
loads while it is still parsing. :func:`parse_ahead` starts on a run's first files before its
batches ask for them.

Prefect wraps these calls in ``flows/ingest.py``; nothing here imports Prefect, so every step
is testable and reusable from the CLI or a benchmark.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import threading
from collections import Counter
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, wait
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from pressindex.errors import InputError, ParsePoolStopped, TooLarge, Unreadable
from pressindex.ingest.parse_pool import ParseLimits, ParsePool
from pressindex.model import Article, BulkDocument


@dataclass(frozen=True)
class Rejected:
    """A file that could not become a document, with the reason it goes to quarantine."""

    source_path: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"source_path": self.source_path, "error": {"code": self.code, "message": self.message}}


@dataclass(frozen=True)
class MediaItem:
    """A picture, graphic, audio or video item (an Article of ``kind`` "media"): no news text.

    The batch records it in its file's state record (id, media type, caption) and indexes
    ``document`` (the caption as a document) only when ``media_captions_as_documents`` is on;
    the document is made here, in the parse process, so that the choice costs the batch nothing."""

    source_path: str
    id: str
    media_type: str | None  # "picture", "graphic", "audio", "video"; None when the reader does not say
    caption: str
    document: BulkDocument

    def record(self) -> dict:
        """Its entry under ``media`` in the file's state record."""
        return {"id": self.id, "type": self.media_type, "caption": self.caption}

    def restamped(self, *, was: tuple[str | None, str], run_id: str | None, ingested_at: str) -> MediaItem:
        return replace(
            self, document=self.document.restamped(was=was, run_id=run_id, ingested_at=ingested_at)
        )


def _media_item(article: Article, document: BulkDocument) -> MediaItem:
    return MediaItem(
        article.source_path, article.id, article.media_type, article.body or article.title, document
    )


def discover(paths: Iterable[str | Path]) -> list[str]:
    """Absolute paths of the regular files under ``paths``, sorted and unique; hidden files and
    symlink loops are skipped. Strings, not ``Path`` objects: a nightly inbox holds many thousands."""
    found: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            # followlinks=False: a directory symlink loop cannot trap the walk
            for root, dirs, files in os.walk(str(path.absolute()), followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.update(os.path.join(root, f) for f in files if not f.startswith("."))
        elif path.exists() or path.is_symlink():
            found.add(str(path.absolute()))
        else:
            raise FileNotFoundError(f"no such file or directory: {path}")
    # The order of Path.parts, from one string per path: with the separator as NUL, lower than any
    # character a name can hold, a shorter name sorts first. (A list of parts per path held for
    # the sort cost 0.6 KB per file: the run's peak memory at 100,000 files.)
    return sorted(found, key=lambda p: p.replace(os.sep, "\0"))


def read_file(path: str | Path, max_bytes: int) -> bytes:
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            raise TooLarge(f"file has {size:,} bytes; the limit is {max_bytes:,}", path=str(path))
        # read(n) allocates n bytes first: asking for max_bytes + 1 (20 MiB) cost 45 us per file.
        # Unbuffered (one read call) is 20-30 us cheaper than through a buffer.
        with open(path, "rb", buffering=0) as fh:
            raw = fh.read(size + 1)
            # A short read (a network file system) or a file that grew since the stat: read on to
            # the end, at most one byte past the limit (the decoder refuses that as too large).
            while len(raw) != size and len(raw) <= max_bytes:
                more = fh.read(max_bytes + 1 - len(raw))
                if not more:
                    break
                raw += more
            return raw
    except InputError:
        raise
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from exc


def parse_file(path: str | Path, *, max_bytes: int, now: datetime | None = None) -> list[Article] | Rejected:
    """One Article per message of the file (one for plain text), or the reason it is rejected."""
    # Imported here: with a parse pool, the flow process never parses, and the parser's imports
    # (numpy, langdetect, BeautifulSoup) would cost it a third of a second at every start.
    from pressindex.parse import parse_messages

    try:
        raw = read_file(path, max_bytes)
        return parse_messages(raw, str(path), now=now, max_bytes=max_bytes)
    except InputError as exc:
        return Rejected(str(path), exc.code, exc.message)


def prepare_files(
    paths: Iterable[str | Path],
    *,
    max_bytes: int,
    run_id: str | None,
    ingested_at: str,
    workers: int = 0,
    limits: ParseLimits | None = None,
) -> Iterator[BulkDocument | Rejected]:
    """Parse ``paths`` into documents ready for ``_bulk``, media items (:class:`MediaItem`) or
    rejects, yielded in file order as
    soon as each chunk of files is done; with ``workers`` > 0 in the shared parse pool, each file
    within ``limits``. Files that :func:`parse_ahead` started on are taken from there.

    A file of several wire messages gives several documents, one after another (the pool's outcome
    per file is a list of documents or a :class:`Rejected`; flattened here)."""
    paths = list(paths)
    ahead = _take_parsed_ahead(paths, max_bytes)
    args = (max_bytes, run_id, ingested_at)
    if not ahead:
        return _flatten(_outcomes(_prepare_one, paths, args, workers, limits))
    rest = _outcomes(_prepare_one, [p for p in paths if str(p) not in ahead], args, workers, limits)
    return _flatten(_merge_parsed_ahead(paths, ahead, rest, args, workers, limits))


def parse_files(
    paths: Iterable[str | Path], *, max_bytes: int, workers: int, limits: ParseLimits | None = None
) -> Iterator[Article | Rejected]:
    """Parse ``paths`` into articles (one per message) or rejects, in order, within ``limits``
    (``pressindex parse``)."""
    return _flatten(_outcomes(_parse_one, list(paths), (max_bytes,), workers, limits))


def _flatten(outcomes: Iterator) -> Iterator:
    """Per-file outcomes (a list of documents, or a Rejected) as one stream."""
    try:
        for outcome in outcomes:
            if isinstance(outcome, list):
                yield from outcome
            else:
                yield outcome
    finally:
        close = getattr(outcomes, "close", None)
        if close is not None:
            close()  # the consumer stopped early: drop the chunks that have not started


# -- the parse pool ------------------------------------------------------------------------------

POOL_CHUNK = 25  # files per pool call: small enough to spread a batch, large enough to amortise the IPC
_pool_lock = threading.Lock()
_pool: ParsePool | None = None


def _prepare_one(
    path: str | Path, max_bytes: int, run_id: str | None, ingested_at: str
) -> list[BulkDocument | MediaItem] | Rejected:
    outcome = parse_file(path, max_bytes=max_bytes)
    if isinstance(outcome, Rejected):
        return outcome
    prepared: list[BulkDocument | MediaItem] = []
    for article in outcome:
        document = BulkDocument.from_article(article, run_id=run_id, ingested_at=ingested_at)
        prepared.append(_media_item(article, document) if article.kind == "media" else document)
    return prepared


def _parse_one(path: str | Path, max_bytes: int) -> list[Article] | Rejected:
    return parse_file(path, max_bytes=max_bytes)


def _rejected(path, code: str, message: str) -> Rejected:
    """How the pool reports a file over a limit (``parse_timeout``, ``parse_memory``, ``parse_crash``)."""
    return Rejected(str(path), code, message)


def _warm() -> None:
    """Load the parser's and the story fingerprint's lazily built tables (the language model, numpy,
    the word weights), so the first real file does not pay for them inside its parse budget: under
    load that alone could take a small file past it."""
    from pressindex.parse import parse_document
    from pressindex.stories.features import story_features

    article = parse_document(
        "Warm-up: ein kurzer deutscher Text für die Spracherkennung, nichts weiter.".encode(), "warm-up"
    )
    story_features(article.title, article.body, article.language)


def parse_pool(workers: int, limits: ParseLimits | None = None) -> ParsePool | None:
    """This process's supervised parse processes (:mod:`pressindex.ingest.parse_pool`), started on first
    use and shared by every batch in flight; ``None`` for ``workers`` 0 (parse in the calling
    thread, without per-file limits: for tests and benchmarks of the parser only). A daemonic
    process (a Dask worker, one per core) gets one parse process: the cluster is the parallelism."""
    global _pool
    if workers < 1:
        return None
    if multiprocessing.current_process().daemon:
        workers = 1
    limits = limits or ParseLimits()
    with _pool_lock:
        if _pool is None or not _pool.alive or _pool.workers != workers or _pool.limits != limits:
            if _pool is not None:
                _pool.close()  # jobs already given to it finish there
            _pool = ParsePool(workers, limits=limits, reject=_rejected, initializer=_warm)
        return _pool


def start_parse_pool(workers: int, limits: ParseLimits | None = None) -> None:
    """Have the parse processes start at a run's start: each needs most of a second to import the
    parser, which the run can spend planning instead of waiting."""
    parse_pool(workers, limits)


def stop_parse_pool() -> None:
    """Kill this process's parse processes now (a run interrupted by SIGTERM or Ctrl-C); what they
    had not finished fails with :class:`~pressindex.errors.ParsePoolStopped`. The next run starts new ones."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.stop()


def _outcomes(job, paths: list, args: tuple, workers: int, limits: ParseLimits | None) -> Generator:
    """``job(path, *args)`` for each of ``paths``, in order: in the shared pool, chunk by chunk, when
    ``workers`` > 0, else in this thread."""
    chunks = [paths[i : i + POOL_CHUNK] for i in range(0, len(paths), POOL_CHUNK)]
    pool = parse_pool(workers, limits)
    if pool is None:
        return (job(path, *args) for chunk in chunks for path in chunk)
    # submitted now, not at the first ``next``: the caller may first consume files parsed ahead
    futures = [pool.submit(job, chunk, *args) for chunk in chunks]
    return _collect(futures)


def _collect(futures: list[Future]) -> Generator:
    try:
        for future in futures:
            yield from future.result()
    finally:
        for future in futures:
            future.cancel()  # the consumer stopped early: drop what has not started


# -- parsing ahead -------------------------------------------------------------------------------
# ``pressindex ingest`` spends 3-4 s importing Prefect and starting the flow run before its first
# batch asks for a document, while the parse processes sit idle. It hands them the run's first new
# files meanwhile (``pressindex.ingest.head_start``); the batches that get those files take the results
# here. Documents parsed before the run had an id carry this stamp, swapped for the batch's own.

_AHEAD_STAMP: tuple[str | None, str] = (None, "1970-01-01T00:00:00+00:00")
_ahead_lock = threading.Lock()
_ahead: dict[str, tuple[Future, int, int]] = {}  # path -> (its chunk's future, index in it, max_bytes)
_ahead_open = False  # until the first batch asks: from then on the batches parse what is left


def open_parse_ahead() -> None:
    """Let :func:`parse_ahead` hand out files from now until the first batch asks for files.
    Called before the run starts, so that a batch that asks early closes it for good."""
    global _ahead_open
    with _ahead_lock:
        _ahead_open = True


def parse_ahead(
    paths: list[str], *, max_bytes: int, workers: int, in_flight: int = 1, limits: ParseLimits | None = None
) -> int:
    """Parse ``paths`` in the shared pool, ``in_flight`` chunks at a time, until they are done or
    the first batch asks for files (:func:`prepare_files`); returns how many files were handed out.

    Blocks: meant for a thread that runs while the flow starts, after :func:`open_parse_ahead`.
    ``in_flight`` below the number of workers leaves cores to the process that is starting. The
    results wait for the batches, or for :func:`drop_parsed_ahead`, which frees those no batch took."""
    pool = parse_pool(workers, limits)
    if pool is None:
        return 0
    submitted = 0
    pending: list[Future] = []
    for start in range(0, len(paths), POOL_CHUNK):
        if len(pending) >= in_flight:
            wait(pending, return_when=FIRST_COMPLETED)
            pending = [f for f in pending if not f.done()]
        chunk = paths[start : start + POOL_CHUNK]
        with _ahead_lock:  # checked and registered under the lock: a batch never parses a file twice
            if not _ahead_open:
                break
            try:
                future = pool.submit(_prepare_one, chunk, max_bytes, *_AHEAD_STAMP)
            except ParsePoolStopped:
                break  # a pool shut down: the batches parse these files themselves
            _ahead.update((path, (future, i, max_bytes)) for i, path in enumerate(chunk))
        pending.append(future)
        submitted += len(chunk)
    return submitted


def drop_parsed_ahead() -> int:
    """Stop parsing ahead and forget what no batch took (a run ends); returns how many files."""
    global _ahead_open
    with _ahead_lock:
        _ahead_open = False
        left = list(_ahead.values())
        _ahead.clear()
    for future, _, _ in left:
        future.cancel()
    return len(left)


def _take_parsed_ahead(paths: list, max_bytes: int) -> dict[str, tuple[Future, int]]:
    global _ahead_open
    if not _ahead_open and not _ahead:  # the common case, without a lock: nothing parsed ahead
        return {}
    taken = {}
    with _ahead_lock:
        _ahead_open = False
        for path in map(str, paths):
            entry = _ahead.get(path)
            if entry is not None and entry[2] == max_bytes:
                del _ahead[path]
                taken[path] = entry[:2]
    return taken


def _merge_parsed_ahead(
    paths: list, ahead: dict, rest: Generator, args: tuple, workers: int, limits: ParseLimits | None
) -> Iterator:
    """The outcomes of ``paths`` in file order: from ``ahead`` when it holds the file, else from ``rest``."""
    _, run_id, ingested_at = args
    try:
        for path in paths:
            entry = ahead.get(str(path))
            if entry is None:
                yield next(rest)
                continue
            future, i = entry
            try:
                outcome = future.result()[i]
            except (ParsePoolStopped, CancelledError):
                # the pool it went to was replaced: parse it again in the current one
                yield from _outcomes(_prepare_one, [path], args, workers, limits)
                continue
            if isinstance(outcome, list):
                outcome = [
                    d.restamped(was=_AHEAD_STAMP, run_id=run_id, ingested_at=ingested_at) for d in outcome
                ]
            yield outcome
    finally:
        rest.close()  # the consumer stopped early: drop the rest's chunks that have not started


def quarantine(rejected: Rejected, directory: Path, *, run_id: str | None) -> Path:
    """Copy the file (when it is readable) and write ``<name>.reason.json`` beside it."""
    directory.mkdir(parents=True, exist_ok=True)
    src = Path(rejected.source_path)
    # the path hash keeps two rejects with the same file name apart
    tag = hashlib.sha1(rejected.source_path.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    stem = f"{tag}_" + (re.sub(r"[^\w.-]+", "_", src.name)[:120] or "file")
    target = directory / stem
    record = {
        **rejected.as_dict(),
        "run_id": run_id,
        "quarantined_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    try:
        if src.is_file():
            shutil.copyfile(src, target)
            record["copy"] = target.name
    except OSError:
        record["copy"] = None
    reason_file = directory / f"{stem}.reason.json"
    reason_file.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return reason_file


def count_by_code(rejected: Iterable[Rejected]) -> dict[str, int]:
    return dict(Counter(r.code for r in rejected))
