"""Ingest throughput against Elasticsearch's own bulk rate on the same machine, and peak memory.

    uv run python bench/ingest_bench.py --n 10000
    uv run python bench/ingest_bench.py --n 100000

1. Builds (once, cached outside the repository) a corpus of N distinct wire files from the
   10kGNAD test articles: every copy gets another dateline, shuffled sentences and its own
   reference number; every third file carries a dpa-infocom id (external versions).
2. Parses them once beforehand (not timed) into bulk lines: the documents exactly as the
   ingest writes them.
3. A warm-up bulk of a few thousand prepared documents into a scratch index (not timed).
4. (a) the ceiling: ``_bulk`` of those prepared lines into a fresh index made from
   ``mappings/press.json``, with the same bulk mode (no refresh, no replicas) and request size as
   the ingest and one concurrent request per core (Elasticsearch's write pool), until searchable.
5. (b) ``pressindex ingest`` of the raw files into another fresh alias, as a subprocess (the
   real flow), timed from start to exit. Its empty index is created before the clock starts,
   as (a)'s is; its peak resident memory is sampled over its whole
   process tree (parse workers and an ephemeral Prefect server included).
6. Checks that both indices hold N documents (any missing one is reported as quarantined, by its
   reason code from the run's summary, or else as lost), prints docs/s, MB/s (of raw files), the ratio
   (b)/(a) and the peak memory, and deletes both indices.
7. Times an ingest of 10 files the same way: the fixed cost every run pays whatever its size
   (Python, Prefect, the parse processes, planning, bulk mode, the final refresh), and prints
   what (b) and the ratio would be without it.

With ``--parse-free``, (b') after (b): the same command with every document made beforehand
(``bench/parse_free.py``), the ratio a parser that cost nothing would reach.

With ``--stories``, (b0) after (b): the same ingest without story clusters
(``PRESSINDEX_STORIES_ENABLED=false``: the one-pass run, parse and load overlapping), and the cost of
clustering: (b) is the two-pass run (parse to a spool, decide every document's story in the run's
fixed order, load each document once with its story; see ``docs/architecture.md``), so the cost is
the story step's share of (b) and the rate lost against (b0), plus the story fields that every
document gets where it is parsed (fingerprint, band keys), timed in this process over the corpus. ``--preload M`` (with
``--stories``) then shows the cost per document against the size of the index: an archive of M
documents of other stories (a realistic mix, spread over the last year, their story fields
written as the assignment leaves them) is bulked into a fresh alias and merged to one segment
(as an archive that has sat for a while), and the N files are ingested into it; the assignment's seconds and the CPU per document are compared with those of
(b), which went into an empty index.

``--mix realistic`` replaces the ten copies of each article by a night as it is more likely:
70 % of the documents tell a story alone, 20 % in pairs, 10 % in threes; to have enough
unrelated stories, the 10kGNAD articles are rewritten with made-up content words
(:class:`Cipher`), each rewriting a set of stories of its own.

With ``--compare-services``, (b) and the fixed cost are measured twice in one run: first with a
temporary Prefect server that each command starts and stops (no ``PREFECT_API_URL``, local services
ignored), then with the services of ``pressindex up`` (its server when it runs, else one started for
the bench in a temporary directory and stopped at the end), as (b_services) and its fixed cost.

Other load on the machine skews both rates; the load average is printed with the result, and so is
the CPU each run needs per document (Elasticsearch's from its node stats, so nothing else may
index into the node meanwhile; the ingest's from its process tree; a local Prefect server's from
its processes), which other processes skew far less: on a machine where both runs keep every core
busy, their ratio is the ratio it allows.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Self

import orjson
import parse_free
import psutil

import pressindex
from pressindex.config import Settings
from pressindex.index.es_client import connect
from pressindex.index.indices import create_index, drop_alias_family, ensure_index, index_definition
from pressindex.ingest import bulk_mode, pipeline
from pressindex.ingest.load import bulk_lines
from pressindex.ingest.run_history import runs_alias
from pressindex.ingest.state import ensure_state_index, state_alias

DEFAULT_CSV = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "10kgnad_test" / "test.csv"
CORPUS_VERSION = 1  # bump when the files the builder writes change
FILES_PER_DIR = 1000
PLACES = [
    ("Berlin", "dpa"), ("Hamburg", "dpa"), ("München", "AFP"), ("Wien", "APA"), ("Köln", "dpa"),
    ("Frankfurt", "dpa-AFX"), ("Leipzig", "epd"), ("Dresden", "dpa"), ("Zürich", "sda"), ("Bremen", "KNA"),
]  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"])")


# -- corpus -------------------------------------------------------------------------------------


def read_texts(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            row[1].strip()
            for row in csv.reader(fh, delimiter=";", quotechar="'")
            if len(row) >= 2 and row[1].strip()
        ]


def wire_file(n: int, texts: list[str]) -> str:
    """Wire copy number ``n``: a 10kGNAD article with a headline, a dateline lead and paragraphs.

    Copies of the same article differ in dateline, sentence order and a reference number, so
    every file yields a document of its own.
    """
    return wire_copy(n, texts[n % len(texts)], shuffled=n >= len(texts))


def wire_copy(n: int, text: str, *, shuffled: bool) -> str:
    """``text`` as wire file number ``n`` (its reference number, dateline and dpa id, if any)."""
    rng = random.Random(n)
    sentences = _SENTENCE_END.split(text)
    headline = sentences[0].rstrip(".")[:140]
    rest = sentences[1:] or ["Weitere Einzelheiten wurden zunächst nicht bekannt."]
    if shuffled:
        rng.shuffle(rest)
    place, agency = PLACES[(n // 7) % len(PLACES)]
    rest[0] = f"{place} ({agency}) - {rest[0]} Es geht um Vorgang {n}."
    paragraphs = [" ".join(rest[i : i + 3]) for i in range(0, len(rest), 3)]
    parts = [headline, *paragraphs]
    if n % 3 == 0:
        day = 1 + n % 28
        parts.append(f"© dpa-infocom, dpa:1603{day:02d}-99-{n:06d}/1")
    return "\n\n".join(parts) + "\n"


# A realistic night: most stories are told once, some twice or three times (a version, the
# regional service's copy): 70 % of documents alone, 20 % in pairs, 10 % in threes.
REALISTIC_COPIES = {1: 0.84, 2: 0.12, 3: 0.04}
# kept as they are: with 300, two universes' copies of one article were one story for 40 % of articles
# (their frequent content words), with 40 for 1 %, as two different articles are
KEPT_WORDS = 40
PRELOAD_FIRST_STORY = 1_000_000  # the preloaded archive's stories: none of them is in the run
_WORD = re.compile(r"[^\W\d_]+")


def realistic_stories(n: int, first_story: int = 0) -> list[tuple[int, int]]:
    """(story, copy) of each of ``n`` files: stories told 1-3 times (:data:`REALISTIC_COPIES`),
    their copies scattered over the files."""
    rng = random.Random(first_story + 21)
    files: list[tuple[int, int]] = []
    story = first_story
    while len(files) < n:
        copies = rng.choices(list(REALISTIC_COPIES), weights=list(REALISTIC_COPIES.values()))[0]
        files += [(story, copy) for copy in range(copies)]
        story += 1
    files = files[:n]
    rng.shuffle(files)
    return files


class Cipher:
    """Story ``s`` is article ``s mod T`` of the T 10kGNAD texts written in "universe" ``s div T``:
    every word but the corpus's :data:`KEPT_WORDS` most frequent (its function words) is replaced
    by a made-up word of the same length, the same one throughout the universe, and every digit by
    another (a permutation of the universe's). Universes relate their articles as the originals do
    (made-up words share no stems by chance, as real words mapped onto real words did), so
    10kGNAD's 1,014 articles give as many unrelated stories as a run needs. The price: every
    universe brings ~48,000 words the stemmer has not seen, which the story fields and
    Elasticsearch's analysis pay for, in (b) and (b0) alike."""

    def __init__(self, texts: list[str]) -> None:
        counts: dict[str, int] = {}
        for text in texts:
            for word in _WORD.findall(text.lower()):
                counts[word] = counts.get(word, 0) + 1
        self.texts = texts
        self.keep = set(sorted(counts, key=lambda w: (-counts[w], w))[:KEPT_WORDS])
        self._made: dict[tuple[int, str], str] = {}

    def story_text(self, story: int) -> str:
        universe, text = divmod(story, len(self.texts))
        text = self.texts[text]
        if universe == 0:
            return text
        digits = list("0123456789")
        random.Random(universe).shuffle(digits)
        text = text.translate(str.maketrans("0123456789", "".join(digits)))
        return _WORD.sub(lambda m: self._word(universe, m.group()), text)

    def _word(self, universe: int, word: str) -> str:
        lower = word.lower()
        if lower in self.keep:
            return word
        made = self._made.get((universe, lower))
        if made is None:
            rng = random.Random(zlib.crc32(f"{universe}:{lower}".encode()))
            made = self._made[universe, lower] = "".join(
                rng.choices("abcdefghiklmnoprstuvwzäöü", k=len(word))
            )
        return made.capitalize() if word[0].isupper() else made


def build_corpus(
    n: int, root: Path, csv_path: Path, *, realistic: bool = False, first_story: int = 0
) -> Path:
    """``root/corpus-v<V>-<n>/dNNNN/wNNNNNNN.txt``, written once; a marker file says it is whole.
    ``realistic``: stories told 1-3 times (:func:`realistic_stories` from ``first_story`` on,
    :class:`Cipher`) instead of ten copies of each article."""
    name = f"corpus-v{CORPUS_VERSION}-{n}" + (f"-realistic-{first_story}" if realistic else "")
    directory = root / name
    marker = directory / ".complete"
    if marker.exists():
        return directory
    texts = read_texts(csv_path)
    # without 10kGNAD's one-line legal notices (bodies of the same words): as `pressindex evaluate`
    cipher = (
        Cipher([t for t in texts if len(_SENTENCE_END.split(t, maxsplit=1)[-1]) >= 200])
        if realistic
        else None
    )
    stories = realistic_stories(n, first_story) if realistic else []
    for i in range(n):
        sub = directory / f"d{i // FILES_PER_DIR:04d}"
        if i % FILES_PER_DIR == 0:
            sub.mkdir(parents=True, exist_ok=True)
        if cipher is None:
            text = wire_file(i, texts)
        else:  # a number of its own (reference, dpa id) however many corpora are loaded together
            story, copy = stories[i]
            text = wire_copy(story * 4 + copy, cipher.story_text(story), shuffled=copy > 0)
        (sub / f"w{i:07d}.txt").write_text(text, encoding="utf-8")
    marker.write_text(str(n))
    return directory


def corpus_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*.txt"))


# -- prepared documents (not timed) ---------------------------------------------------------------


def _prepare_chunk(paths: list[str]) -> bytes:
    """The documents exactly as the ingest prepares them (in this bench's own worker process)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    outcomes = list(
        pipeline.prepare_files(paths, max_bytes=Settings().max_file_bytes, run_id="bench", ingested_at=now)
    )
    rejected = [o for o in outcomes if isinstance(o, pipeline.Rejected)]
    if rejected:
        raise RuntimeError(f"the bench corpus has files the parser rejects: {rejected[:3]}")
    return b"".join(bulk_lines(outcomes))


def _document_code_digest() -> str:
    """Changes with the code that makes documents (parser, model, loader, mapping), so prepared
    lines from an older version are never compared with what the ingest writes now."""
    package = Path(pressindex.__file__).parent
    digest = hashlib.sha1(json.dumps(index_definition(), sort_keys=True).encode())
    for path in (
        sorted(package.glob("parse/*.py"))
        + sorted(package.glob("parse/*.c"))
        + sorted(package.glob("stories/*.py"))
        + [package / name for name in ("model.py", "ingest/load.py", "ingest/pipeline.py")]
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def prepare(directory: Path, files: list[Path], workers: int) -> Path:
    """Bulk lines (action + source) for every file, as the ingest would send them; cached."""
    # beside the corpus, not in it: the ingest reads every file in the corpus directory
    target = directory.with_name(f"{directory.name}-prepared-{_document_code_digest()}.ndjson")
    if target.exists():
        return target
    chunks = [[str(p) for p in files[i : i + 200]] for i in range(0, len(files), 200)]
    partial = target.with_suffix(".partial")
    with partial.open("wb") as out, ProcessPoolExecutor(workers) as pool:
        for body in pool.map(_prepare_chunk, chunks):
            out.write(body)
    partial.rename(target)
    return target


def bulk_bodies(path: Path, max_bytes: int) -> Iterator[tuple[bytes, int]]:
    """Request bodies of at most ``max_bytes`` (whole action/source pairs) and their document counts."""
    body: list[bytes] = []
    size = docs = 0
    with path.open("rb") as fh:
        for action in fh:
            source = fh.readline()
            if body and size + len(action) + len(source) > max_bytes:
                yield b"".join(body), docs
                body, size, docs = [], 0, 0
            body += (action, source)
            size += len(action) + len(source)
            docs += 1
    if body:
        yield b"".join(body), docs


# -- (a) the ceiling ------------------------------------------------------------------------------


def es_cpu_seconds(es) -> float:
    """CPU seconds the Elasticsearch node processes have used so far (all nodes of the cluster)."""
    nodes = es.nodes.stats(metric="process")["nodes"].values()
    return sum(n["process"]["cpu"]["total_in_millis"] for n in nodes) / 1000


def measure_ceiling(
    es, prepared: Path, *, clients: int, chunk_bytes: int, limit: int | None = None
) -> tuple[float, int]:
    """Seconds to bulk the prepared lines (about the first ``limit`` documents, when given) into a
    fresh index until searchable, and the count."""
    name = f"bench-ceiling-{uuid.uuid4().hex[:8]}"
    definition = index_definition()
    create_index(es, name, definition)
    es.cluster.health(index=name, wait_for_status="yellow", timeout="60s")
    try:
        started = time.perf_counter()
        with bulk_mode.bulk_mode(es, name):
            errors = 0
            with ThreadPoolExecutor(clients) as pool:
                in_flight = []
                sent = 0
                for body, docs in bulk_bodies(prepared, chunk_bytes):
                    if limit is not None and sent >= limit:
                        break
                    sent += docs
                    in_flight.append(pool.submit(es.bulk, index=name, operations=body, request_timeout=300))
                    if len(in_flight) >= clients * 2:  # bounded: the bodies are not all read at once
                        errors += _bulk_errors(in_flight.pop(0).result())
                for fut in in_flight:
                    errors += _bulk_errors(fut.result())
        es.indices.refresh(index=name)
        seconds = time.perf_counter() - started
        if errors:
            raise RuntimeError(f"{errors} documents were refused in the ceiling run")
        return seconds, int(es.count(index=name)["count"])
    finally:
        es.indices.delete(index=name, ignore_unavailable=True)


def _bulk_errors(resp) -> int:
    if not resp["errors"]:
        return 0
    return sum(1 for item in resp["items"] if next(iter(item.values())).get("error"))


# -- (b) the ingest -------------------------------------------------------------------------------


class TreeMonitor:
    """Samples the resident memory of a process and all its descendants (keeps the peak sum) and
    their CPU time by kind of process (parse worker, Prefect server, …)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self.peak_processes = 0
        self.peak_by_role: dict[str, int] = {}  # the largest single process of each kind
        self._cpu: dict[int, tuple[str, float]] = {}  # pid -> (role, last CPU seconds seen)
        self._roles: dict[int, str] = {}  # decided once per process, from its full command line
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_by_role(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for role, seconds in self._cpu.values():
            out[role] = out.get(role, 0.0) + seconds
        return out

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            total, count = 0, 0
            try:
                for proc in [self.root, *self.root.children(recursive=True)]:
                    try:
                        rss = proc.memory_info().rss
                        role = self._roles.get(proc.pid) or _role(proc, self.root)
                        if role != "starting":
                            self._roles[proc.pid] = role
                        times = proc.cpu_times()
                    except psutil.Error:
                        continue
                    self._cpu[proc.pid] = (role, times.user + times.system)
                    total += rss
                    count += 1
                    self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), rss)
            except psutil.Error:
                return
            if total > self.peak:
                self.peak, self.peak_processes = total, count
            self._stop.wait(self.interval)


def _role(proc: psutil.Process, root: psutil.Process) -> str:
    if proc.pid == root.pid:
        return "ingest"
    cmdline = " ".join(proc.cmdline())
    if not cmdline:  # between fork and exec
        return "starting"
    if "prefect.server" in cmdline or "uvicorn" in cmdline:
        return "prefect server"
    if "multiprocessing" in cmdline:
        return "parse worker"
    if "distributed" in cmdline or "dask" in cmdline:
        return "dask worker"
    return proc.name()


def _prefect_server() -> list[psutil.Process]:
    """The processes of the Prefect server at ``PREFECT_API_URL`` when it runs on this machine."""
    url = os.environ.get("PREFECT_API_URL", "")
    port = re.search(r"//(?:127\.0\.0\.1|localhost):(\d+)/", url)
    if not port:
        return []
    for conn in psutil.net_connections("tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == int(port.group(1)) and conn.pid:
            server = psutil.Process(conn.pid)
            return [server, *server.children(recursive=True)]
    return []


def prefect_server_cpu_seconds() -> float | None:
    """CPU seconds the local Prefect server has used so far; None without one (a temporary
    server started by the command is in the command's own process tree)."""
    processes = _prefect_server()
    if not processes:
        return None
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _prefect_mode(compare_services: bool = False) -> str:
    if compare_services:
        return "(b) a temporary server per command, (b_services) the server of the local services"
    from pressindex.localnode.services import local_prefect_api

    url = os.environ.get("PREFECT_API_URL") or local_prefect_api(Settings())
    return f"server at {url}" if url else "a temporary server started by the command (no PREFECT_API_URL)"


def _bytecode_mode() -> str:
    import prefect

    cached = any((Path(prefect.__file__).parent / "__pycache__").glob("*.pyc"))
    return "compiled" if cached else "not compiled: every process compiles its imports at start"


INGEST = [sys.executable, "-m", "pressindex"]


def run_ingest(
    directory: Path, alias: str, workdir: Path, env: dict[str, str] | None = None, command: list[str] = INGEST
) -> tuple[float, dict, TreeMonitor]:
    env = {**os.environ, **(env or {}), "PRESSINDEX_QUARANTINE_DIR": str(workdir / "quarantine")}
    cmd = [*command, "ingest", str(directory), "--index", alias, "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with TreeMonitor(proc.pid) as memory:
        out, err = proc.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"pressindex ingest failed ({proc.returncode}):\n{err[-4000:]}")
    summary = json.loads(out.strip().splitlines()[-1])
    # CPU of the whole tree: the parse processes end after the command (their pipe closes) and are
    # nobody's to wait for, so the children's rusage misses them; the monitor saw each process
    waited = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary["cpu_seconds"] = max(waited, sum(memory.cpu_by_role.values()))
    return seconds, summary, memory


def measure_ingest(
    es, directory: Path, env: dict[str, str] | None = None, command: list[str] = INGEST, prepare_alias=None
) -> tuple[float, dict, TreeMonitor, float, int]:
    """(b) into a new alias whose empty indices exist before the clock starts, as (a)'s does: its
    seconds, summary and process tree, Elasticsearch's CPU meanwhile and the documents it indexed.
    ``env`` adds to the command's environment, ``command`` replaces ``python -m pressindex``;
    ``prepare_alias(alias)`` fills the new alias before the clock starts (``--preload``).
    The alias and its state alias are deleted afterwards."""
    alias = f"bench-ingest-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="pressindex-bench-") as work:
        try:
            ensure_index(es, alias)
            ensure_state_index(es, alias)
            if prepare_alias is not None:
                prepare_alias(alias)
            es.cluster.health(index=alias, wait_for_status="yellow", timeout="60s")
            es_before = es_cpu_seconds(es)
            server_before = prefect_server_cpu_seconds()
            seconds, summary, memory = run_ingest(directory, alias, Path(work), env, command)
            es_cpu = es_cpu_seconds(es) - es_before
            if server_before is not None:
                summary["prefect_server_cpu_seconds"] = prefect_server_cpu_seconds() - server_before
            es.indices.refresh(index=alias)
            count = int(es.count(index=alias, query={"term": {"run_id": summary["run_id"]}})["count"])
            return seconds, summary, memory, es_cpu, count
        finally:
            drop_alias_family(es, alias)
            drop_alias_family(es, state_alias(alias))
            drop_alias_family(es, runs_alias(alias))


FIXED_COST_FILES = 10  # an ingest this small is all fixed cost
NO_STORIES = {"PRESSINDEX_STORIES_ENABLED": "false"}


# -- story clusters -------------------------------------------------------------------------------


def story_fields_seconds(files: list[Path]) -> float:
    """CPU seconds this process needs for the story fields of every file's documents (the part of
    parsing that story clusters add; the files are parsed first, not timed)."""
    from pressindex.parse import parse_messages
    from pressindex.stories.fields import story_day, story_source

    articles = [a for path in files for a in parse_messages(path.read_bytes(), str(path))]
    started = time.process_time()
    for a in articles:
        story_source(
            a.id, a.title, a.body, a.language, story_day(a.published, a.dpa.issue_date if a.dpa else None)
        )
    return time.process_time() - started


PRELOAD_DAYS = 365  # the preloaded archive's stories are spread over the year before the run


def preloader(es, prepared: Path, stories: list[tuple[int, int]]):
    """A ``prepare_alias`` for :func:`measure_ingest`: bulk the prepared documents of a realistic
    corpus (``stories``: each file's (story, copy)) into the alias as an archive whose stories are
    already assigned (story fields written as the assignment would leave them: the id of the copy
    with the smallest own id, the longest copy representing the story), each story on one day of
    the :data:`PRELOAD_DAYS` before now (``ingested_at``, and ``published`` where there is one);
    and the dict its figures go into. No `stories rebuild`: clustering 100,000 documents that way
    costs hours on two cores, and is not what is measured."""
    now = datetime.now(UTC)
    figures: dict = {}

    def documents() -> Iterator[tuple[bytes, dict]]:
        with prepared.open("rb") as fh:
            for action in fh:
                yield action, orjson.loads(fh.readline())

    def story_fields() -> dict[str, dict]:
        members: dict[int, list[tuple[str, int, str]]] = {}  # story -> (id, chars, own story id)
        for (story, _), (action, source) in zip(stories, documents(), strict=True):
            doc_id = orjson.loads(action)["index"]["_id"]
            members.setdefault(story, []).append((doc_id, source["story_chars"], source["story_id"]))
        fields = {}
        for story, docs in members.items():
            story_id = min(docs)[2]
            representative = max(docs, key=lambda d: (d[1], d[0]))[0]
            when = now - timedelta(days=random.Random(story).random() * PRELOAD_DAYS)
            for doc_id, _, _ in docs:
                fields[doc_id] = {
                    "story_id": story_id, "story_representative": doc_id == representative,
                    "story_size": len(docs) if doc_id == representative else None, "when": when,
                }  # fmt: skip
        return fields

    def bodies() -> Iterator[bytes]:
        fields = story_fields()
        lines: list[bytes] = []
        for action, source in documents():
            story = dict(fields[orjson.loads(action)["index"]["_id"]])
            when = story.pop("when")
            source.update(story, ingested_at=when.isoformat(timespec="seconds"), run_id="preloaded")
            if source.get("published"):
                source["published"] = when.isoformat(timespec="seconds")
            lines += [action, orjson.dumps(source) + b"\n"]
            if len(lines) >= 2000:
                yield b"".join(lines)
                lines = []
        if lines:
            yield b"".join(lines)

    def fill(alias: str) -> None:
        started = time.perf_counter()
        for body in bodies():
            if (
                es.options(request_timeout=600)
                .bulk(index=alias, operations=body, filter_path="errors")
                .get("errors")
            ):
                raise RuntimeError("preloaded documents were refused")
        es.indices.refresh(index=alias)
        figures["bulk_seconds"] = round(time.perf_counter() - started, 1)
        # an archive that has sat for a while has merged its segments; a fresh bulk's merges would
        # otherwise run during the measured ingest and be counted as its cost
        started = time.perf_counter()
        es.options(request_timeout=1800).indices.forcemerge(index=alias, max_num_segments=1)
        figures["merge_seconds"] = round(time.perf_counter() - started, 1)
        stories_now = es.search(index=alias, size=0, aggs={"s": {"cardinality": {"field": "story_id"}}})
        figures.update(
            stories=stories_now["aggregations"]["s"]["value"], documents=int(es.count(index=alias)["count"])
        )
        week = {"range": {"ingested_at": {"gte": "now-7d"}}}
        figures["in_the_last_7_days"] = int(es.count(index=alias, query=week)["count"])

    return fill, figures


def report_stories(
    es,
    args,
    run_directory: Path,
    files: list[Path],
    result: dict,
    stories_b: dict | None,
    cores: int,
    cpu: dict,
) -> dict:
    """The cost of story clusters: (b) against (b0), the assignment step, the fields made at parse
    time and, with ``--preload``, the assignment's cost per document in a full index. Besides the
    rates, the CPU both runs needed (Elasticsearch and the command's processes), which other load on
    the machine skews far less."""
    out: dict = {"assignment": stories_b}
    if not stories_b:
        print("stories: (b) assigned nothing (is PRESSINDEX_STORIES_ENABLED false here?)")
        return out
    rate_b, rate_b0 = result["b"]["docs_per_s"], result["b0"]["docs_per_s"]
    out["rate_lost"] = round(1 - rate_b / rate_b0, 3)
    out["assignment_share"] = round(stories_b["seconds"] / result["b"]["seconds"], 3)
    per_doc = stories_b["seconds"] / max(stories_b["documents"], 1) * 1000
    fields = story_fields_seconds(files)
    out["fields_ms_per_doc"] = round(fields / args.n * 1000, 3)
    out["fields_share"] = round(
        fields / cores / result["b"]["seconds"], 3
    )  # the parse processes use every core
    cpu_b, cpu_b0 = sum(cpu["b"].values()), sum(cpu["b0"].values())
    out["cpu_added"] = round(cpu_b / cpu_b0 - 1, 3)
    print(
        f"story clusters: CPU {cpu_b / args.n * 1000:.2f} ms per document with them, {cpu_b0 / args.n * 1000:.2f} without "
        f"(+{out['cpu_added']:.1%}; Elasticsearch +{(cpu['b']['Elasticsearch'] - cpu['b0']['Elasticsearch']) / args.n * 1000:.2f} ms, "
        f"client +{(cpu['b']['client'] - cpu['b0']['client']) / args.n * 1000:.2f} ms)"
    )
    print(
        f"story clusters: (b) {rate_b:.0f} docs/s with them, (b0) {rate_b0:.0f} without: {out['rate_lost']:.1%} of "
        f"the rate; the assignment took {stories_b['seconds']:.1f} s of (b) (CPU {stories_b.get('cpu_seconds', 0):.1f} s; "
        f"{out['assignment_share']:.1%}, "
        f"{per_doc:.2f} ms per document; {stories_b['joined']} joined, {stories_b['started']} started, "
        f"{stories_b['merged']} merges); story fields at parse time: {out['fields_ms_per_doc']:.2f} ms CPU per "
        f"document, ~{out['fields_share']:.1%} of (b) over {cores} cores (in (b0) too)"
    )
    if args.preload:
        directory = build_corpus(
            args.preload, args.cache, args.csv, realistic=True, first_story=PRELOAD_FIRST_STORY
        )
        prepared = prepare(directory, corpus_files(directory), cores)
        fill, figures = preloader(es, prepared, realistic_stories(args.preload, PRELOAD_FIRST_STORY))
        seconds, full, _, es_full, count = measure_ingest(es, run_directory, prepare_alias=fill)
        assigned = full.get("stories") or {}
        per_doc_full = assigned.get("seconds", 0) / max(assigned.get("documents", 0), 1) * 1000
        out["preload"] = {
            **figures, "n": count, "ingest_seconds": round(seconds, 2), "assignment": assigned,
            "ms_per_doc_empty": round(per_doc, 3), "ms_per_doc_full": round(per_doc_full, 3),
            "es_cpu_ms_per_doc_empty": round(cpu["b"]["Elasticsearch"] / args.n * 1000, 3),
            "es_cpu_ms_per_doc_full": round(es_full / max(count, 1) * 1000, 3),
            "cpu_ms_per_doc_empty": round(sum(cpu["b"].values()) / args.n * 1000, 3),
            "cpu_ms_per_doc_full": round((es_full + full["cpu_seconds"]) / max(count, 1) * 1000, 3),
        }  # fmt: skip
        print(
            f"preload: {figures['documents']} documents in {figures['stories']} stories over {PRELOAD_DAYS} days "
            f"({figures['in_the_last_7_days']} in the last 7) bulked in {figures['bulk_seconds']:.0f} s, merged to one "
            f"segment in {figures['merge_seconds']:.0f} s; then {count} "
            f"ingested in {seconds:.1f} s: assignment {per_doc_full:.2f} ms per document into the full index "
            f"(CPU {assigned.get('cpu_seconds', 0):.1f} s), "
            f"{per_doc:.2f} ms into an empty one ({assigned.get('joined')} joined, {assigned.get('merged')} merges); "
            f"Elasticsearch CPU of the whole ingest {out['preload']['es_cpu_ms_per_doc_full']:.2f} ms per document "
            f"into the full index, {out['preload']['es_cpu_ms_per_doc_empty']:.2f} into the empty one; with the "
            f"command's: {out['preload']['cpu_ms_per_doc_full']:.2f} / {out['preload']['cpu_ms_per_doc_empty']:.2f} ms"
        )
    return out


# (b) with a temporary Prefect server per command, even when `pressindex up` runs one
TEMPORARY_SERVER_ENV = {"PRESSINDEX_USE_LOCAL_SERVICES": "false"}


def local_services_env(settings: Settings):
    """``PREFECT_API_URL`` of the local services' Prefect server, and what stops it afterwards: the
    server of `pressindex up` when it runs (left running), else one started here in a temporary
    directory on a free port (stopped by its pid)."""
    import socket

    from pressindex.localnode import services

    api = services.local_prefect_api(settings)
    if api:
        return {"PREFECT_API_URL": api}, lambda: None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    local = settings.model_copy(
        update={
            "services_dir": Path(tempfile.mkdtemp(prefix="pressindex-bench-services-")),
            "prefect_port": port,
        }
    )
    services.up(local, log=print)
    return {"PREFECT_API_URL": services.local_prefect_api(local)}, lambda: services.down(local)


def report_story_pairs(pairs: list[tuple[tuple[float, float], tuple[float, float]]]) -> dict:
    """The rate lost to story clusters in each pair of runs, by the whole command (with its
    temporary Prefect server) and by the flow run alone, and the medians over the pairs."""
    lost_command = [1 - b0 / b for _, (b, b0) in pairs]
    lost_flow = [1 - b0 / b for (b, b0), _ in pairs]
    out = {
        "rate_lost_command": [round(x, 3) for x in lost_command],
        "rate_lost_flow_run": [round(x, 3) for x in lost_flow],
        "median_command": round(statistics.median(lost_command), 3),
        "median_flow_run": round(statistics.median(lost_flow), 3),
    }
    print(
        f"story clusters over {len(pairs)} pair(s) of runs: rate lost by the command "
        f"{', '.join(f'{x:.1%}' for x in lost_command)} (median {out['median_command']:.1%}); by the flow run "
        f"{', '.join(f'{x:.1%}' for x in lost_flow)} (median {out['median_flow_run']:.1%})"
    )
    return out


def _ingest_cpu(es_cpu: float, summary: dict) -> dict[str, float]:
    out = {"Elasticsearch": es_cpu, "client": summary["cpu_seconds"]}
    if "prefect_server_cpu_seconds" in summary:
        out["Prefect server"] = summary["prefect_server_cpu_seconds"]
    return out


# -- report ---------------------------------------------------------------------------------------


def missing_documents(n: int, count: int, summary: dict | None) -> tuple[dict[str, int], int]:
    """Of the ``n - count`` documents a run did not index: those its ``summary`` (``pressindex
    ingest --json``) says it quarantined, by reason code (``parse_timeout``, ...), and the rest,
    lost without a word. Every corpus file is one document, so a quarantined file is one document.
    (a) has no summary: all it misses is lost."""
    quarantined = {code: k for code, k in sorted((summary or {}).get("quarantined", {}).items()) if k}
    return quarantined, max(0, n - count - sum(quarantined.values()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="documents in the corpus")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="10kGNAD lines: label;'text'")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "pressindex-bench",
        help="where the corpus and the prepared lines are kept between runs",
    )  # fmt: skip
    parser.add_argument(
        "--clients", type=int, default=os.cpu_count() or 1,
        help="concurrent _bulk requests of the ceiling (default: one per core, as Elasticsearch's write pool)",
    )  # fmt: skip
    parser.add_argument("--skip-ceiling", action="store_true", help="run only (b)")
    parser.add_argument(
        "--compare-services", action="store_true",
        help="(b) and the fixed cost with a temporary Prefect server, then with the services of `pressindex up`",
    )  # fmt: skip
    parser.add_argument("--skip-ingest", action="store_true", help="run only (a)")
    parser.add_argument(
        "--parse-free", action="store_true",
        help="also run (b) with every document parsed beforehand (bench/parse_free.py): the floor of any parser",
    )  # fmt: skip
    parser.add_argument(
        "--stories", action="store_true", help="also run (b) without story clusters (b0): what clustering costs",
    )  # fmt: skip
    parser.add_argument(
        "--story-rounds", type=int, default=1, metavar="K",
        help="with --stories: K pairs of (b) and (b0), in alternating order, and the rate lost of each pair and "
        "their median (load from other processes moves single runs by more than the 15 %% target)",
    )  # fmt: skip
    parser.add_argument(
        "--mix", choices=("copies", "realistic"), default="copies",
        help="copies: ten copies of each 10kGNAD article; realistic: stories told once (70 %% of the documents), "
        "twice (20 %%) or three times (10 %%)",
    )  # fmt: skip
    parser.add_argument(
        "--preload", type=int, default=0,
        help="with --stories: ingest the N files into an index already holding this many other documents "
        "(a realistic mix of other stories over the last year, their stories assigned)",
    )  # fmt: skip
    args = parser.parse_args(argv)

    settings = Settings()
    es = connect(settings)
    cores = os.cpu_count() or 1
    t0 = time.perf_counter()
    directory = build_corpus(args.n, args.cache, args.csv, realistic=args.mix == "realistic")
    files = corpus_files(directory)
    if len(files) != args.n:
        raise SystemExit(f"{directory} holds {len(files)} files, expected {args.n}: delete it and run again")
    raw_mb = sum(p.stat().st_size for p in files) / 1e6
    prepared = prepare(directory, files, cores)
    print(
        f"corpus: {args.n} files, {raw_mb:.1f} MB in {directory} (built/prepared in {time.perf_counter() - t0:.0f} s)"
    )
    load_before = os.getloadavg()

    # A node that has not indexed since it started runs its indexing code interpreted until the
    # JIT compiles it: a cold (a) measured half the rate of a warm one. Both runs get a warm node.
    warm_seconds, warmed = measure_ceiling(
        es, prepared, clients=args.clients, chunk_bytes=settings.bulk_chunk_bytes, limit=5000
    )
    print(
        f"warm-up: {warmed} prepared documents bulked into a scratch index first ({warm_seconds:.1f} s, not counted)"
    )

    rows = []
    cpu: dict[str, dict[str, float]] = {}  # run -> CPU seconds by process
    story_pairs: list[
        tuple[tuple[float, float], tuple[float, float]]
    ] = []  # ((b, b0) flow runs, (b, b0) commands)
    if not args.skip_ceiling:
        es_before, server_before = es_cpu_seconds(es), prefect_server_cpu_seconds()
        client_before = time.process_time()
        seconds, count = measure_ceiling(
            es, prepared, clients=args.clients, chunk_bytes=settings.bulk_chunk_bytes
        )
        cpu["a"] = {
            "Elasticsearch": es_cpu_seconds(es) - es_before,
            "client": time.process_time() - client_before,
        }
        if server_before is not None:  # idle during (a), but it takes its share of the cores all the same
            cpu["a"]["Prefect server"] = prefect_server_cpu_seconds() - server_before
        rows.append(("a", "(a) _bulk of prepared documents", seconds, count, None))
    if args.compare_services and os.environ.get("PREFECT_API_URL"):
        raise SystemExit("--compare-services measures a temporary server first: unset PREFECT_API_URL")
    temporary = TEMPORARY_SERVER_ENV if args.compare_services else None
    if not args.skip_ingest:
        seconds, summary, memory, es_cpu, count = measure_ingest(es, directory, env=temporary)
        cpu["b"] = _ingest_cpu(es_cpu, summary)
        rows.append(("b", "(b) pressindex ingest of raw files", seconds, count, summary))
        rows.append(("b_flow_only", "    the same, flow run only", summary["seconds"], count, summary))
        stories_b = summary.get("stories")
        if args.stories:
            seconds, summary_b0, _, es_cpu, count = measure_ingest(
                es, directory, env={**(temporary or {}), **NO_STORIES}
            )
            cpu["b0"] = _ingest_cpu(es_cpu, summary_b0)
            rows.append(("b0", "(b0) the same, no story clusters", seconds, count, summary_b0))
            story_pairs.append(
                (
                    (summary["seconds"], summary_b0["seconds"]),
                    (rows[0 if args.skip_ceiling else 1][2], seconds),
                )
            )
            for round_no in range(1, args.story_rounds):
                # alternate which goes first, so a trend in the machine's load hits both alike
                runs = ({}, NO_STORIES) if round_no % 2 == 0 else (NO_STORIES, {})
                timed = {}
                for extra in runs:
                    secs, summ, *_ = measure_ingest(es, directory, env={**(temporary or {}), **extra})
                    timed["b0" if extra else "b"] = (secs, summ["seconds"])
                story_pairs.append(((timed["b"][1], timed["b0"][1]), (timed["b"][0], timed["b0"][0])))
            if count != summary_b0.get("indexed"):
                print(
                    "(b0):",
                    json.dumps({k: summary_b0.get(k) for k in ("indexed", "unchanged", "quarantined")}),
                )
        if args.parse_free:
            parsed = parse_free.parse_beforehand(
                files, directory.with_name(f"{directory.name}-parsed-{_document_code_digest()}.pickle"), cores
            )
            command = [sys.executable, str(Path(__file__).with_name("parse_free.py")), str(parsed)]
            seconds, summary, _, es_cpu, count = measure_ingest(es, directory, command=command)
            cpu["b_parse_free"] = _ingest_cpu(es_cpu, summary)
            rows.append(("b_parse_free", "(b') the same, parsed beforehand", seconds, count, summary))
        fixed = measure_ingest(es, build_corpus(FIXED_COST_FILES, args.cache, args.csv), env=temporary)[0]
        if args.compare_services:
            services_env, stop_services = local_services_env(settings)
            os.environ.update(services_env)  # for the server's CPU (prefect_server_cpu_seconds)
            try:
                seconds, summary, _, es_cpu, count = measure_ingest(es, directory, env=services_env)
                cpu["b_services"] = _ingest_cpu(es_cpu, summary)
                rows.append(("b_services", "(b) with the services up", seconds, count, summary))
                fixed_services = measure_ingest(
                    es, build_corpus(FIXED_COST_FILES, args.cache, args.csv), env=services_env
                )[0]
            finally:
                del os.environ["PREFECT_API_URL"]
                stop_services()

    print(
        f"machine: {cores} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB; Elasticsearch "
        f"{es.info()['version']['number']} on the same cores; load average before/after "
        f"{load_before[0]:.2f} / {os.getloadavg()[0]:.2f}"
    )
    print(f"Prefect: {_prefect_mode(args.compare_services)}; Python bytecode: {_bytecode_mode()}")
    print(f"{'run':<36} {'N':>8} {'seconds':>8} {'docs/s':>8} {'MB/s':>6} {'peak RSS MB':>12}")
    ok = True
    result: dict = {"n": args.n, "raw_mb": round(raw_mb, 1)}
    for key, label, seconds, count, row_summary in rows:
        rss = f"{memory.peak / 2**20:.0f}" if key == "b" else ""
        result[key] = {"seconds": round(seconds, 2), "docs_per_s": round(count / seconds, 1), "count": count}
        print(
            f"{label:<36} {count:>8} {seconds:>8.1f} {count / seconds:>8.0f} {raw_mb / seconds:>6.2f} {rss:>12}"
        )
        if count != args.n:
            quarantined, lost = missing_documents(args.n, count, row_summary)
            result[key].update(quarantined=quarantined, lost=lost)
            if quarantined:
                reasons = ", ".join(f"{code} {k}" for code, k in quarantined.items())
                print(f"  QUARANTINED: {sum(quarantined.values())} of {args.n} ({reasons})")
            if lost:
                print(f"  LOST DOCUMENTS: {lost} of {args.n} (neither indexed nor quarantined)")
            ok = False  # the corpus holds good files only: both are faults of the run
    if "a" in result and "b" in result:
        result["ratio"] = round(result["a"]["seconds"] / result["b"]["seconds"], 3)
        result["ratio_flow_only"] = round(result["a"]["seconds"] / result["b_flow_only"]["seconds"], 3)
        print(
            f"ratio (b)/(a): {result['ratio']:.2f} (target ≥ 0.70); flow run only: {result['ratio_flow_only']:.2f}"
        )
    if "a" in result and "b_services" in result:
        result["ratio_services"] = round(result["a"]["seconds"] / result["b_services"]["seconds"], 3)
        result["fixed_seconds_services"] = round(fixed_services, 2)
        marginal = result["b_services"]["seconds"] - fixed_services
        print(
            f"with the services up: ratio (b)/(a) {result['ratio_services']:.2f}; fixed cost {fixed_services:.1f} s; "
            f"without it: ratio {result['a']['seconds'] / marginal:.2f}"
        )
    if "a" in result and "b_parse_free" in result:
        result["ratio_parse_free"] = round(result["a"]["seconds"] / result["b_parse_free"]["seconds"], 3)
        print(f"ratio (b')/(a): {result['ratio_parse_free']:.2f}: what the rest of the run allows any parser")
    if not args.skip_ingest:
        # What one run costs whatever its size (Python, Prefect, the parse processes, the plan,
        # bulk mode, the final refresh): the ratio (b) would reach if that cost were spread over
        # many more documents.
        result["fixed_seconds"] = round(fixed, 2)
        marginal = result["b"]["seconds"] - fixed
        ratio = f", ratio {result['a']['seconds'] / marginal:.2f}" if "a" in result else ""
        print(
            f"fixed cost of one ingest ({FIXED_COST_FILES} files): {fixed:.1f} s; "
            f"(b) without it: {args.n / marginal:.0f} docs/s{ratio}"
        )
        result["peak_rss_mb"] = round(memory.peak / 2**20)
        roles = ", ".join(f"{role} {rss / 2**20:.0f}" for role, rss in sorted(memory.peak_by_role.items()))
        print(
            f"peak RSS of (b): {result['peak_rss_mb']} MB over {memory.peak_processes} processes; largest of each kind: {roles}"
        )
        cpu_roles = ", ".join(f"{role} {sec:.1f}" for role, sec in sorted(memory.cpu_by_role.items()))
        print(f"CPU seconds of (b) by kind of process: {cpu_roles}")
    n = args.n / 1000
    for key, by_process in cpu.items():
        label = "b'" if key == "b_parse_free" else key
        print(
            f"CPU per 1000 documents, ({label}): "
            + ", ".join(f"{process} {seconds / n:.2f} s" for process, seconds in by_process.items())
        )
        result[f"cpu_per_1000_{key}"] = {process: round(sec / n, 2) for process, sec in by_process.items()}
    for key in ("b", "b_parse_free", "b_services"):
        if "a" in cpu and key in cpu:
            # Both runs keep the cores about equally busy (the idle start of (b) against the end of
            # (a), whose last requests wait for one another), so the CPU each needs per document
            # bounds the ratio, whatever else runs on the machine at the time.
            result[f"cpu_ratio{key[1:]}"] = ratio = round(sum(cpu["a"].values()) / sum(cpu[key].values()), 3)
            label = "b'" if key == "b_parse_free" else key
            print(f"CPU per document, (a)/({label}): {ratio:.2f} (the ratio a CPU-bound machine allows)")
    if args.stories and not args.skip_ingest:
        result["stories"] = report_stories(es, args, directory, files, result, stories_b, cores, cpu)
        result["stories"]["pairs"] = report_story_pairs(story_pairs)
    print("result:", json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
