"""Reading untrusted files in child processes, with memory and time limits.

A landed file is whatever someone exported, or anything at all: a 5 KB workbook that declares
the whole sheet used makes the workbook reader ask for 512 GB and abort the process that reads
it (SIGABRT, not an exception). So files are decoded and parsed by reader processes: each caps
its own address space (`resource.setrlimit(RLIMIT_AS)`), and the parent kills a read that runs
past its time limit. A reader that dies or is killed takes only its file with it: that file
gets a reason naming the limit, the reader is replaced, and the other files go on.

Readers live for a whole ingest run (a process per file would cost ~0.7 s of imports each);
a small pool of them reads the next files while the parent loads the previous ones. A large
table comes back as an Arrow IPC file in the pool's spool folder, which the parent maps
without copying; pickled through the pipe, a 1.5 M-row file's 140 MB cost ~0.4 s more.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import pickle
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

from salespulse.contracts import Contract
from salespulse.ingest.dates import DateOrders, day_month_orders
from salespulse.ingest.read import (
    RawTable,
    ReadLimits,
    ReadProblem,
    UnreadableFile,
    map_headers,
    read_export,
)

# A reader that takes longer than this to start (imports) is given up as broken.
START_TIMEOUT_SECONDS = 60.0
# What a reader that ran out of memory says before it dies (Rust, C++, Python).
_OUT_OF_MEMORY = re.compile(r"memory allocation of \d+ bytes failed|bad_alloc|MemoryError|Cannot allocate")


READY = b"ready"
# A read table at least this large comes back through a spool file rather than the pipe (an
# L opportunity snapshot, 11,500 rows, is ~2 MB: through the pipe, 4 ms each of the loader's time).
SPOOL_BYTES = 256 * 1024


@dataclass
class ReadOutcome:
    """What reading one file gave: its kind and text table, or why it cannot be read."""

    kind: str | None = None
    raw: RawTable | None = None
    unreadable: str | None = None  # UnreadableFile: quarantine with this reason
    problem: str | None = None  # ReadProblem: read, but cannot be loaded (unknown kind, ...)
    internal: str | None = None  # a reader bug: quarantine as an internal error
    changed: str | None = None  # the file is not the content the caller hashed: read nothing
    seconds: float = 0.0
    table_file: str | None = None  # raw.table is in this Arrow IPC file (the reader's spool)
    date_orders: DateOrders | None = None  # of the kind's date columns, decided by the reader


def _read_path(path: str, sha: str | None) -> tuple[bytes | None, str | None]:
    """(content, None) of the regular file at `path`, or (None, why) when it is not the content
    whose SHA-256 is `sha` any more, or cannot be opened (gone, replaced by a link or a pipe)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None, "it is no longer a regular file"
            data = handle.read()
    except OSError as exc:
        return None, f"cannot read it any more: {exc.strerror or exc}"
    if sha is not None and hashlib.sha256(data).hexdigest() != sha:
        return None, "it changed while it was read"
    return data, None


def read_in_process(
    name: str, data: bytes, kind: str | None, contracts: dict[str, Contract], limits: ReadLimits
) -> ReadOutcome:
    """Read one file here (the body of a reader process; also usable directly in tests)."""
    started = time.perf_counter()
    outcome = ReadOutcome()
    try:
        outcome.kind, outcome.raw = read_export(Path(name), data, kind, contracts, limits)
        # The day/month order of the file's dates is decided here, beside the parse, rather than
        # in the loader, whose one process types and loads every file (the loader asks again
        # only when the reader could not decide).
        contract = contracts[outcome.kind]
        mapping = map_headers(outcome.raw.headers, contract)
        if mapping.problem(contract) is None:
            positions = {column.name: mapping.position(column.name) for column in contract.columns}
            outcome.date_orders = day_month_orders(outcome.raw.table, positions, contract)
    except UnreadableFile as exc:
        outcome.unreadable = str(exc)
    except ReadProblem as exc:
        outcome.problem = str(exc)
    except MemoryError:
        outcome.unreadable = memory_reason(limits)
    except Exception as exc:  # a reader bug must not stop the other files
        outcome.internal = f"internal error while reading: {type(exc).__name__}: {exc}"
    outcome.seconds = time.perf_counter() - started
    return outcome


def memory_reason(limits: ReadLimits, detail: str = "") -> str:
    return (
        f"reading it needs more memory than the limit of {limits.memory_bytes // (1024 * 1024):,} MB "
        f"(SALESPULSE_READ_MEMORY_MB){': ' + detail if detail else ''}"
    )


def timeout_reason(limits: ReadLimits) -> str:
    return (
        f"reading it took longer than the limit of {limits.timeout_seconds:g} s "
        "(SALESPULSE_READ_TIMEOUT_SECONDS); the reader was stopped"
    )


class _Reader:
    """One reader process and the two pipes to it."""

    def __init__(self, setup_blob: bytes, limits: ReadLimits):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed in stop())
        env = {**os.environ, "RUST_BACKTRACE": "0", "PYTHONWARNINGS": "ignore"}
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "salespulse.ingest.isolate",
                str(to_child_r),
                str(from_child_w),
                str(limits.memory_bytes),
            ],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=self.stderr,
            stderr=self.stderr,
            env=env,
            close_fds=True,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self.send = Connection(to_child_w, readable=False)
        self.receive = Connection(from_child_r, writable=False)
        self.send.send_bytes(setup_blob)
        self.ticket: int | None = None
        self.timeout = limits.timeout_seconds
        self.deadline = 0.0
        self.ready = False  # the reader says so once its imports are done
        self.born = time.monotonic()

    def give(self, ticket: int, message: bytes) -> None:
        self.ticket = ticket
        self.send.send_bytes(message)
        self._set_deadline()

    def now_ready(self) -> None:
        self.ready = True
        self._set_deadline()

    def _set_deadline(self) -> None:
        # A file's time starts when the reader is ready for it, not while it imports.
        if self.ready:
            self.deadline = time.monotonic() + self.timeout
        else:
            self.deadline = self.born + START_TIMEOUT_SECONDS + self.timeout

    def death(self) -> str:
        """Why the reader process ended: its signal or exit status, and the last words it wrote."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        code = self.process.returncode
        if code is None:
            how = "stopped answering"
        elif code < 0:
            try:
                how = f"was killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - 8000))
        lines = [line.strip() for line in self.stderr.read().decode("utf-8", "replace").splitlines()]
        lines = [line for line in lines if line and "RUST_BACKTRACE" not in line]
        telling = next((line for line in reversed(lines) if _OUT_OF_MEMORY.search(line)), None)
        last = telling or (lines[-1] if lines else "")
        return f"the reader {how}" + (f" ({last[:300]})" if last else "")

    def stop(self, kill: bool = False) -> None:
        with contextlib.suppress(OSError):
            self.send.close()
        if kill and self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            self.receive.close()
        self.stderr.close()


class ReaderPool:
    """Reads files in up to `workers` reader processes; results come back per ticket.

    `submit()` queues a file and returns a ticket; `result(ticket)` waits for that file (other
    files keep being read meanwhile). Readers start on first use and stop on `close()`.
    """

    def __init__(self, contracts: dict[str, Contract], limits: ReadLimits, workers: int = 2):
        self.limits = limits
        self.size = max(1, workers)
        self._setup_blob = pickle.dumps((contracts, limits), protocol=pickle.HIGHEST_PROTOCOL)
        self._readers: list[_Reader] = []
        self._queue: deque[tuple[int, bytes]] = deque()
        self._done: dict[int, ReadOutcome] = {}
        self._forgotten: set[int] = set()
        self._next_ticket = 0
        self.crashes = 0
        self._spool: str | None = None  # a private folder, made on first use, removed on close

    def __enter__(self) -> ReaderPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, name: str, path: Path, kind: str | None, sha: str | None = None) -> int:
        """Queue the file at `path` (landed as `name`). The reader reads it itself — the bytes do
        not cross a pipe — and, given `sha`, reads nothing if the content is not that one."""
        ticket = self._next_ticket
        self._next_ticket += 1
        if self._spool is None:
            self._spool = tempfile.mkdtemp(prefix="salespulse-read-")
        message = pickle.dumps(
            (ticket, name, str(path), sha, kind, self._spool), protocol=pickle.HIGHEST_PROTOCOL
        )
        self._queue.append((ticket, message))
        self._dispatch()
        return ticket

    def read(self, name: str, path: Path, kind: str | None, sha: str | None = None) -> ReadOutcome:
        return self.result(self.submit(name, path, kind, sha))

    def result(self, ticket: int) -> ReadOutcome:
        while ticket not in self._done:
            self._dispatch()
            busy = [reader for reader in self._readers if reader.ticket is not None]
            if not busy:  # cannot happen while the ticket is queued: a reader always takes it
                raise RuntimeError(f"read {ticket} is neither queued nor being read")
            timeout = max(0.0, min(reader.deadline for reader in busy) - time.monotonic())
            ready = wait([reader.receive for reader in busy], timeout=timeout)
            for reader in busy:
                if reader.receive in ready:
                    self._collect(reader)
                elif time.monotonic() >= reader.deadline:
                    self._replace(reader, ReadOutcome(unreadable=timeout_reason(self.limits)), kill=True)
        return self._done.pop(ticket)

    def forget(self, ticket: int) -> None:
        """Drop a file's read: nobody will ask for its result (a run that stopped early)."""
        self._queue = deque(item for item in self._queue if item[0] != ticket)
        self._done.pop(ticket, None)
        if any(reader.ticket == ticket for reader in self._readers):
            self._forgotten.add(ticket)

    def close(self) -> None:
        for reader in self._readers:
            reader.stop(kill=reader.ticket is not None)
        self._readers = []
        if self._spool is not None:  # tables nobody collected (a run that stopped early)
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None

    # -------------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        while self._queue:
            idle = next((reader for reader in self._readers if reader.ticket is None), None)
            if idle is None and len(self._readers) < self.size:
                idle = _Reader(self._setup_blob, self.limits)
                self._readers.append(idle)
            if idle is None:
                return
            ticket, message = self._queue.popleft()
            try:
                idle.give(ticket, message)
            except OSError:  # the reader died before it could take the file
                idle.ticket = ticket
                self._replace(idle, None, kill=True)

    def _collect(self, reader: _Reader) -> None:
        ticket = reader.ticket
        try:
            blob = reader.receive.recv_bytes()
        except (EOFError, OSError):
            self._replace(reader, None)
            return
        if blob == READY:
            reader.now_ready()
            return
        got_ticket, outcome = pickle.loads(blob)
        if got_ticket != ticket:
            raise RuntimeError(f"reader answered for read {got_ticket}, expected {ticket}")
        reader.ticket = None
        if ticket in self._forgotten:
            self._forgotten.discard(ticket)
            if outcome.table_file:
                Path(outcome.table_file).unlink(missing_ok=True)
        else:
            self._done[ticket] = _unspooled(outcome)

    def _replace(self, reader: _Reader, outcome: ReadOutcome | None, kill: bool = False) -> None:
        """A reader died or ran out of time: its file gets the reason, a new reader follows."""
        ticket = reader.ticket
        if kill and reader.process.poll() is None:
            reader.process.kill()
        if outcome is None:
            death = reader.death()
            if _OUT_OF_MEMORY.search(death):
                outcome = ReadOutcome(unreadable=memory_reason(self.limits, death))
            else:
                outcome = ReadOutcome(
                    unreadable=f"{death} while reading it (memory limit "
                    f"{self.limits.memory_bytes // (1024 * 1024):,} MB, SALESPULSE_READ_MEMORY_MB)"
                )
        self.crashes += 1
        reader.ticket = None
        reader.stop(kill=True)
        self._readers.remove(reader)
        if ticket is not None and ticket not in self._forgotten:
            self._done[ticket] = outcome
        self._forgotten.discard(ticket)


_shared: ReaderPool | None = None


def shared_pool(contracts: dict[str, Contract], limits: ReadLimits, workers: int) -> ReaderPool:
    """A pool kept for the life of this process and reused by every ingest run with the same
    contracts and limits: readers start once (~0.7 s of imports), not once per run."""
    global _shared
    blob = pickle.dumps((contracts, limits), protocol=pickle.HIGHEST_PROTOCOL)
    if _shared is not None and (_shared._setup_blob != blob or _shared.size != max(1, workers)):
        _shared.close()
        _shared = None
    if _shared is None:
        _shared = ReaderPool(contracts, limits, workers)
        atexit.register(_shared.close)
    return _shared


def close_shared_pool() -> None:
    """Stop the shared readers. Each idle reader holds ~100 MB: a pipeline run ingests once,
    and its warehouse build and briefs need that memory more than a later ingest in the same
    process needs warm readers (the L benchmark's peak, during dbt, counted two of them)."""
    global _shared
    if _shared is not None:
        _shared.close()
        _shared = None


def _spool(outcome: ReadOutcome, path: Path) -> None:
    """Move the outcome's table into an Arrow IPC file at `path` (in the reader). A file that
    cannot be written (disk full) leaves the table in the outcome, to go through the pipe."""
    table = outcome.raw.table
    try:
        with ipc.new_file(str(path), table.schema) as writer:
            writer.write_table(table)
    except (OSError, pa.ArrowException):
        path.unlink(missing_ok=True)
        return
    outcome.raw.table = table.schema.empty_table()
    outcome.table_file = str(path)


def _unspooled(outcome: ReadOutcome) -> ReadOutcome:
    """The outcome with its table mapped back from the spool file (in the parent; no copy:
    the mapping outlives the file, which is removed at once)."""
    if outcome.table_file is None:
        return outcome
    path, outcome.table_file = Path(outcome.table_file), None
    try:
        with pa.memory_map(str(path)) as source:
            outcome.raw.table = ipc.open_file(source).read_all()
    except (OSError, pa.ArrowException) as exc:
        outcome.raw = None
        outcome.internal = f"internal error while reading: the reader's table is unreadable: {exc}"
    finally:
        path.unlink(missing_ok=True)
    return outcome


def _limit_memory(extra_bytes: int) -> None:
    """Cap this process's address space at what it uses now plus `extra_bytes`."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        pages = int(handle.read().split()[0])
    ceiling = pages * resource.getpagesize() + extra_bytes
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _serve(read_fd: int, write_fd: int, memory_bytes: int) -> None:
    receive = Connection(read_fd, writable=False)
    send = Connection(write_fd, readable=False)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an aborting reader leaves no core file
    contracts, limits = pickle.loads(receive.recv_bytes())
    _limit_memory(memory_bytes)
    send.send_bytes(READY)
    while True:
        try:
            message = receive.recv_bytes()
        except (EOFError, OSError):
            return  # the parent closed the pipe (or died): nothing more to read
        ticket, name, path, sha, kind, spool = pickle.loads(message)
        data, changed = _read_path(path, sha)
        if data is None:
            outcome = ReadOutcome(changed=changed)
        else:
            outcome = read_in_process(name, data, kind, contracts, limits)
        del data
        if outcome.raw is not None and outcome.raw.table.nbytes >= SPOOL_BYTES:
            _spool(outcome, Path(spool) / f"{ticket}.arrow")
        try:
            blob = pickle.dumps((ticket, outcome), protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            blob = pickle.dumps((ticket, ReadOutcome(unreadable=memory_reason(limits))))
        send.send_bytes(blob)


if __name__ == "__main__":
    # Import under the package name, so that what the reader sends back unpickles in the parent.
    from salespulse.ingest.isolate import _serve as serve

    serve(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
