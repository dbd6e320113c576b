"""Supervised parse processes: every file parses under a wall-time budget and a memory ceiling.

A file that needs more than its budget is rejected as ``parse_timeout``, one that drives its
process over the ceiling as ``parse_memory``; the process that parsed it is killed and replaced,
and the rest of its chunk goes to another process. The limits are kept from outside, by this
process: a regular expression or a C extension that never returns to the interpreter cannot be
interrupted from inside, and a signal handler would not run either.

How the supervisor knows what a process is doing without a message per file: each process writes
the index of the file it is on and that file's deadline into 20 bytes of memory shared with this
process (an unlinked temporary file, mapped by both), before every file. A thread here reads them
and the processes' resident size every ``POLL_SECONDS``; a message goes back per chunk only.
The two values are written one after the other, so they carry a checksum, and a read that finds
them half written is ignored until the next poll (:func:`_read_status`).

The processes are started with ``subprocess``, not ``multiprocessing``: a Dask worker is daemonic
and may not start multiprocessing children, and a spawned multiprocessing child imports its
parent's ``__main__`` again (Prefect, for a deployment's flow run). They end when their pipe
closes or their parent is gone.

Nothing here knows what a document is: jobs are ``fn(item, *args)`` per item (a path), and the
caller says how a rejected item looks (``reject(item, code, message)``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import resource
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from mmap import mmap
from multiprocessing.connection import Connection, wait

from pressindex.errors import ParsePoolStopped

POLL_SECONDS = 0.05  # how often the supervisor looks at busy processes: the slack of every limit
# index of the file being parsed (-1: none), its deadline (monotonic), the checksum of the two
_STATUS = struct.Struct("<qdI")
_STATUS_VALUES = struct.Struct("<qd")
_MB = 1024 * 1024
_START_FAILURES = 3  # processes in a row that die before their first job: the pool gives up
_START_SECONDS = 120.0  # a process that has not imported the parser by then is stuck: replace it
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_PENDING = object()  # an item's outcome before its process has answered


@dataclass(frozen=True)
class ParseLimits:
    """What one file may cost: ``max(min_seconds, seconds_per_mb x size)`` of wall time, and a
    process of at most ``memory_mb`` resident."""

    seconds_per_mb: float = 5.0
    min_seconds: float = 10.0
    memory_mb: int = 1536

    @classmethod
    def from_settings(cls, settings) -> ParseLimits:
        return cls(settings.parse_seconds_per_mb, settings.parse_min_seconds, settings.parse_memory_mb)

    def budget(self, size: int) -> float:
        return max(self.min_seconds, self.seconds_per_mb * size / _MB)

    def timeout_message(self, size: int | None) -> str:
        budget = self.budget(size or 0)
        return (
            f"parsing took longer than its budget of {budget:.1f} s "
            f"({self.seconds_per_mb:g} s per MB of the file, at least {self.min_seconds:g} s; "
            "PRESSINDEX_PARSE_SECONDS_PER_MB, PRESSINDEX_PARSE_MIN_SECONDS): the parse process was replaced"
        )

    def memory_message(self, rss_mb: float | None) -> str:
        used = f"used {rss_mb:,.0f} MB, " if rss_mb else ""
        return (
            f"the parse process {used}more than its ceiling of {self.memory_mb:,} MB "
            "(PRESSINDEX_PARSE_MEMORY_MB) while parsing this file: the process was replaced"
        )


@dataclass(eq=False)
class _Job:
    future: Future
    fn: Callable
    items: list
    args: tuple
    outcomes: list = field(default_factory=list)
    todo: list[int] = field(default_factory=list)  # indices into items not parsed yet
    deaths: Counter = field(default_factory=Counter)  # index -> processes that died on it unasked
    lost: int = 0  # processes that died on this job between two files


@dataclass(eq=False)
class _Slot:
    proc: subprocess.Popen
    conn: Connection
    status: mmap
    job: _Job | None = None
    sent: list[int] = field(default_factory=list)  # the job's indices, in the order sent
    started: float = field(default_factory=time.monotonic)
    ready: bool = False  # has answered once: it started
    # why we killed it: ("time" | "memory" | "start", position in ``sent`` or -1, resident MB or None)
    kill_reason: tuple[str, int, float | None] | None = None


class ParsePool:
    """``workers`` supervised processes that run ``fn(item, *args)`` for each item of a job.

    ``submit`` returns a :class:`~concurrent.futures.Future` of the job's outcomes, one per item in
    order; an item over a limit gets ``reject(item, code, message)`` instead. ``initializer`` (a
    module-level function) runs once in each process before its first job.
    """

    def __init__(
        self,
        workers: int,
        *,
        limits: ParseLimits,
        reject: Callable[[object, str, str], object],
        initializer: Callable[[], None] | None = None,
        size_of: Callable[[object], int | None] | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("a parse pool needs at least one process")
        self.workers = workers
        self.limits = limits
        self._reject = reject
        self._size_of = size_of or _file_size
        self._initializer = initializer
        self._lock = threading.Lock()
        self._queue: deque[_Job] = deque()
        self._slots: list[_Slot] = []
        self._closing = False  # no new jobs; ends when the queue and the processes are done
        self._stopped = False
        self._start_failures = 0
        self._ids = itertools.count()
        self._wake_r, self._wake_w = os.pipe()
        for _ in range(workers):
            self._slots.append(self._start_process())
        self._thread = threading.Thread(target=self._supervise, daemon=True, name="parse-pool-supervisor")
        self._thread.start()

    # -- the caller's side ------------------------------------------------------------------------

    def submit(self, fn: Callable, items: Sequence, *args) -> Future:
        future: Future = Future()
        job = _Job(future, fn, list(items), args, [_PENDING] * len(items), list(range(len(items))))
        with self._lock:
            if self._closing or self._stopped:
                raise ParsePoolStopped("the parse pool was shut down")
            self._queue.append(job)
        self._wake()
        return future

    def pids(self) -> list[int]:
        with self._lock:
            return [s.proc.pid for s in self._slots]

    @property
    def alive(self) -> bool:
        return not (self._closing or self._stopped)

    def close(self) -> None:
        """Take no new jobs; the processes end once the jobs already submitted are done."""
        with self._lock:
            self._closing = True
        self._wake()

    def stop(self) -> None:
        """Kill every process now; jobs not finished fail with :class:`ParsePoolStopped`."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            procs = [s.proc for s in self._slots]
            jobs = [s.job for s in self._slots if s.job] + list(self._queue)
            self._queue.clear()
        for proc in procs:  # gone when this returns; the supervisor closes their pipes
            _kill(proc)
        for job in jobs:
            if not job.future.done() and not job.future.cancel():
                job.future.set_exception(ParsePoolStopped("the parse pool was stopped"))
        self._wake()

    # -- the supervisor ---------------------------------------------------------------------------

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # the supervisor has ended and closed the pipe
            os.write(self._wake_w, b"x")

    def _supervise(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._stopped or (
                        self._closing and not self._queue and not any(s.job for s in self._slots)
                    ):
                        break
                    self._dispatch()
                    busy = any(s.job for s in self._slots)
                    waitables = [s.conn for s in self._slots] + [self._wake_r]
                try:
                    ready = wait(waitables, timeout=POLL_SECONDS if busy else 1.0)
                except (OSError, ValueError):  # a pipe closed under us: look again
                    ready = []
                if self._wake_r in ready:
                    os.read(self._wake_r, 4096)
                with self._lock:
                    if self._stopped:
                        break
                    for slot in list(self._slots):
                        if slot.conn in ready:
                            self._receive(slot)
                    self._watch()
        except BaseException as exc:  # a bug here must not leave callers waiting for ever
            self._fail_everything(exc)
            raise
        finally:
            self._end_processes()

    def _dispatch(self) -> None:
        for slot in self._slots:
            while slot.job is None and self._queue:
                job = self._queue.popleft()
                if not job.future.running() and not job.future.set_running_or_notify_cancel():
                    continue  # cancelled before it started
                items = [job.items[i] for i in job.todo]
                try:
                    payload = pickle.dumps((job.fn, items, job.args), protocol=pickle.HIGHEST_PROTOCOL)
                    slot.conn.send_bytes(payload)
                except (OSError, ValueError):  # the process is gone: this slot is replaced below
                    self._queue.appendleft(job)
                    break
                except Exception as exc:  # not picklable: the caller's bug, not the file's
                    job.future.set_exception(exc)
                    continue
                slot.job, slot.sent = job, list(job.todo)

    def _receive(self, slot: _Slot) -> None:
        try:
            message = slot.conn.recv()
        except (EOFError, OSError):
            self._replace(slot)
            return
        slot.ready = True
        self._start_failures = 0
        if message == "ready":
            return
        outcomes, memory_hits, error = message
        job, slot.job = slot.job, None
        if job is None:
            return
        if error is not None:
            job.future.set_exception(error)
        else:
            for index, outcome in zip(slot.sent, outcomes, strict=True):
                job.outcomes[index] = outcome
            for position in memory_hits:
                index = slot.sent[position]
                job.outcomes[index] = self._reject(
                    job.items[index], "parse_memory", self.limits.memory_message(None)
                )
            job.future.set_result(job.outcomes)
        if memory_hits:  # a MemoryError leaves a fragmented heap behind: start afresh
            _kill(slot.proc)
            self._replace(slot)

    def _watch(self) -> None:
        now = time.monotonic()
        for slot in list(self._slots):
            if not slot.ready and now - slot.started > _START_SECONDS:
                slot.kill_reason = ("start", -1, None)
            elif slot.job is None or slot.proc.poll() is not None:
                continue
            else:
                status = _read_status(slot.status)
                if status is None:  # read while the process was writing it: the next poll looks again
                    continue
                position, deadline = status
                rss = _resident_mb(slot.proc.pid)
                if position >= 0 and now > deadline:
                    slot.kill_reason = ("time", position, None)
                elif rss is not None and rss > self.limits.memory_mb:
                    slot.kill_reason = ("memory", position, rss)
            if slot.kill_reason:
                _kill(slot.proc)
                self._replace(slot)

    def _replace(self, slot: _Slot) -> None:
        """``slot``'s process has died or was killed: account for its job, start another."""
        _kill(slot.proc)
        position = slot.kill_reason[1] if slot.kill_reason else (_read_status(slot.status) or (-1, 0.0))[0]
        slot.conn.close()
        slot.status.close()
        job = slot.job
        if job is not None and not job.future.done():
            self._settle_after_death(slot, job, position)
        if not slot.ready:
            self._start_failures += 1
        self._slots.remove(slot)
        if self._start_failures >= _START_FAILURES:
            self._fail_everything(
                ParsePoolStopped(
                    f"parse processes die before their first job ({self._start_failures} in a row); see stderr"
                )
            )
            return
        if not (self._stopped or (self._closing and not self._queue)):
            self._slots.append(self._start_process())

    def _settle_after_death(self, slot: _Slot, job: _Job, position: int) -> None:
        index = slot.sent[position] if 0 <= position < len(slot.sent) else None
        if index is not None and slot.kill_reason is not None:
            kind, _, rss = slot.kill_reason
            item = job.items[index]
            if kind == "time":
                message = self.limits.timeout_message(self._size_of(item))
                job.outcomes[index] = self._reject(item, "parse_timeout", message)
            else:
                job.outcomes[index] = self._reject(item, "parse_memory", self.limits.memory_message(rss))
        elif index is not None:
            # killed from outside (the OOM killer, an operator) or crashed: the file gets another
            # process, and is rejected only if that one dies on it too
            job.deaths[index] += 1
            if job.deaths[index] >= 2:
                code = slot.proc.returncode
                how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                job.outcomes[index] = self._reject(
                    job.items[index],
                    "parse_crash",
                    f"the parse process died twice while parsing this file ({how})",
                )
        else:
            job.lost += 1
            if job.lost > len(job.items) + 2:
                job.future.set_exception(
                    ParsePoolStopped("parse processes keep dying on this chunk between files")
                )
                return
        job.todo = [i for i in slot.sent if job.outcomes[i] is _PENDING]
        if job.todo:
            self._queue.appendleft(job)  # the rest of the chunk, first in line
        else:
            job.future.set_result(job.outcomes)

    def _fail_everything(self, exc: BaseException) -> None:
        self._stopped = True
        jobs = [s.job for s in self._slots if s.job] + list(self._queue)
        self._queue.clear()
        for job in jobs:
            if not job.future.done():
                job.future.set_exception(exc if isinstance(exc, Exception) else ParsePoolStopped(str(exc)))

    def _end_processes(self) -> None:
        with self._lock:
            slots, self._slots = self._slots, []
            self._stopped = True
        for slot in slots:
            slot.conn.close()  # the process reads end of file and exits
            slot.status.close()
        for slot in slots:
            try:
                slot.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                _kill(slot.proc)
        os.close(self._wake_r)
        os.close(self._wake_w)

    def _start_process(self) -> _Slot:
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        # one thread per numeric library: the parse processes are the parallelism
        env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
        # unlinked at once; both processes map it, the mapping outlives the file object
        with tempfile.TemporaryFile() as status_file:
            status_file.truncate(_STATUS.size)
            status = mmap(status_file.fileno(), _STATUS.size)
            _write_status(status, -1, 0.0)
            proc = subprocess.Popen(
                [sys.executable, "-c", "from pressindex.ingest.parse_pool import serve; serve()",
                 str(theirs.fileno()), str(status_file.fileno())],
                pass_fds=(theirs.fileno(), status_file.fileno()),
                stdin=subprocess.DEVNULL,
                env=env,
            )  # fmt: skip
        theirs.close()
        conn = Connection(ours.detach())
        conn.send(list(sys.path))  # first, alone: the initializer may live in a module only it finds
        conn.send((os.getpid(), self.limits, self._initializer))
        return _Slot(proc, conn, status)


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
    # in uninterruptible sleep (a hung disk): reaped later
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _write_status(status: mmap, position: int, deadline: float) -> None:
    values = _STATUS_VALUES.pack(position, deadline)
    _STATUS.pack_into(status, 0, position, deadline, zlib.crc32(values))


def _read_status(status: mmap) -> tuple[int, float] | None:
    """A parse process's (index of its file or -1, deadline); None when read while being written.

    The process writes the fields one after the other, and may be descheduled in between: read
    there, a file's index came with the deadline before it (0.0, "no file"), and a file that had
    just begun was killed as ``parse_timeout`` (a good file now and then in 10,000-file runs)."""
    position, deadline, check = _STATUS.unpack_from(status)
    if zlib.crc32(_STATUS_VALUES.pack(position, deadline)) != check:
        return None
    return position, deadline


def _resident_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE / _MB
    except (OSError, IndexError, ValueError):  # not Linux, or just ended
        return None


def _file_size(item) -> int | None:
    try:
        return os.stat(item).st_size
    except (OSError, TypeError, ValueError):
        return None


# -- the parse process -------------------------------------------------------------------------------


def serve() -> None:
    """A parse process's main loop: ``argv`` holds its pipe's and its status file's descriptors."""
    with contextlib.suppress(EOFError, OSError):  # the pool ended while this process started or answered
        _serve()


def _serve() -> None:
    conn = Connection(int(sys.argv[1]))
    status = mmap(int(sys.argv[2]), _STATUS.size)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the command, which stops us
    sys.path[:] = conn.recv()
    parent, limits, initializer = conn.recv()
    _exit_with_parent(parent)
    if initializer is not None:
        initializer()
    _cap_address_space(limits.memory_mb)
    conn.send("ready")
    while True:
        try:
            payload = conn.recv_bytes()
        except (EOFError, OSError):
            return
        memory_hits: list[int] = []
        message: tuple[list[object] | None, list[int], Exception | None]  # (outcomes, memory_hits, error)
        try:
            fn, items, args = pickle.loads(payload)
            outcomes: list[object] = []
            for position, item in enumerate(items):
                size = _file_size(item) or 0
                _write_status(status, position, time.monotonic() + limits.budget(size))
                try:
                    outcomes.append(fn(item, *args))
                except MemoryError:
                    outcomes.append(None)
                    memory_hits.append(position)
            _write_status(status, -1, 0.0)
            message = (outcomes, memory_hits, None)
        except Exception as exc:  # the job's own error: the caller's future raises it
            _write_status(status, -1, 0.0)
            message = (None, [], exc)
        try:
            conn.send(message)
        except Exception as exc:  # an outcome that does not pickle
            conn.send((None, [], ParsePoolStopped(f"a parse result could not be sent back: {exc!r}")))
        # The supervisor replaces this process. After a MemoryError, and also when a large file
        # left the heap big (Python keeps freed memory): the next, innocent file would otherwise
        # start close to the ceiling and be blamed for it.
        if memory_hits or (_resident_mb(os.getpid()) or 0) > limits.memory_mb / 2:
            return


def _cap_address_space(memory_mb: int) -> None:
    """A hard stop under the supervisor's polling: allocations beyond what the process has mapped
    now plus its ceiling raise MemoryError (a burst between two polls cannot take the machine)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            mapped = int(fh.read().split()[0]) * _PAGE
    except (OSError, IndexError, ValueError):
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mapped + memory_mb * _MB
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _exit_with_parent(parent: int) -> None:
    """End when the process that started us is gone, even while busy with a file (a SIGKILLed
    flow process cannot close our pipe in an orderly way, and an orphan would parse on)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()
