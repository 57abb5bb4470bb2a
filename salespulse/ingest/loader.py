"""Landing folder → archive + registry + raw tables, exactly once per file content.

Only settled files are taken (`landing.scan_landing`: unchanged for the settle time, open
for writing by nobody). For each: hash it; a content seen before is registered as
`duplicate` and loads nothing. Otherwise copy it unchanged into
`archive/<kind>/<date>/<sha256>.<ext>`, read it in a reader process with limits
(`isolate`), type and check every row in one DuckDB query, append good rows to `raw.<kind>`
and the others to `raw.<kind>__rejects` with their reasons, and register the outcome, in one
transaction — committed only if the file's content is still the one read (hash checked again;
a file that changed meanwhile is rolled back and left for the next run). A file that cannot
be read at all, or breaks a reading limit, goes to `quarantine/` with a reason file. Only
then is it removed from `landing/`. One failing file never stops the others; a failing
machine (disk full, see `faults`) stops the run without registering anything for the files
it had not finished.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import os
import re
import shutil
import stat
import threading
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from salespulse.config import Settings
from salespulse.contracts import Contract
from salespulse.ingest.coerce import create_typed_table, install_macros
from salespulse.ingest.dates import DateOrders, day_month_orders
from salespulse.ingest.faults import EnvironmentProblem, environment_problem
from salespulse.ingest.isolate import ReaderPool, ReadOutcome, shared_pool
from salespulse.ingest.landing import (
    IGNORED_NAMES,  # noqa: F401 (part of this module's interface)
    IN_PROGRESS_SUFFIXES,  # noqa: F401
    LandedFile,
    Refused,
    scan_landing,
)
from salespulse.ingest.landing import pending_files as pending_files
from salespulse.ingest.read import (
    HeaderMapping,
    ReadLimits,
    ReadProblem,
    kind_from_folder,
    map_headers,
)
from salespulse.ingest.schema import create_raw_schema
from salespulse.ingest.sqlfiles import ident, idents, render, sql_text

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    file_id: int
    file_name: str
    sha256: str
    size_bytes: int
    kind: str | None
    status: str
    rows_in_file: int | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    archive_path: str | None = None
    duplicate_of: int | None = None
    reject_reasons: Counter = field(default_factory=Counter)
    file_date: date | None = None
    landed_at: datetime | None = None
    reprocess: bool = False  # a new read of an archived file that keeps its file_id
    # The landing file's modification time: tells a file already loaded, left in landing/ by a
    # run that died before removing it, from the same export landed again.
    landing_mtime_ns: int | None = None


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)
    # Files left in landing/ for a later run, with why: still being written, changed while
    # this run read them, or unreadable from disk.
    left: list[tuple[str, str]] = field(default_factory=list)

    def for_kind(self, kind: str) -> list[FileResult]:
        return [result for result in self.files if result.kind == kind]

    @property
    def rows_loaded(self) -> int:
        return sum(result.rows_loaded for result in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(result.rows_rejected for result in self.files)


@dataclass
class PreparedFile:
    """A file read and mapped, waiting to be typed and loaded with others of its kind."""

    path: Path
    result: FileResult
    contract: Contract
    table: pa.Table  # c0..cN strings, _file_id, _row_number, _file_date, _landed_date
    headers: HeaderMapping
    date_orders: DateOrders
    bad_rows: list[tuple[int, str, str]]
    landing_path: Path | None = None  # removed from landing/ once registered
    landed: LandedFile | None = None  # what the landing file looked like when read

    @property
    def signature(self) -> tuple:
        return (self.contract.kind, self.headers.signature, self.date_orders.orders)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_name(name: str) -> str:
    """A file name that cannot climb out of its folder or confuse a shell."""
    cleaned = re.sub(r"[^\w.\-一-鿿]+", "_", name).strip("._") or "file"
    return cleaned[:120]


_NAME_DATE = re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")


def file_date_of(name: str, mtime: float | None, tz) -> date | None:
    """`$file_date`: the last date written in the file's name (`opportunities_2026-03-05.csv`,
    `export20260305.xlsx`), else the day the file was last modified, in business time."""
    for match in reversed(list(_NAME_DATE.finditer(Path(name).name))):
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
    if mtime is None:
        return None
    return datetime.fromtimestamp(mtime, tz).date()


@dataclass
class Source:
    """One file to read: a file waiting in landing/, or an archived file read again."""

    path: Path  # where the bytes are
    name: str  # the name it landed under, relative to landing/
    landing_path: Path | None = None
    file_id: int | None = None  # reprocess: the registry entry being read again
    landed_at: datetime | None = None
    file_date: date | None = None
    landed: LandedFile | None = None  # the landing file as scanned


class FileChanged(Exception):
    """The landing file is not the one that was read: left for the next run."""


class AlreadyLoaded(Exception):
    """The landing file itself was loaded by a run that died before removing it from landing/."""


@dataclass
class Staged:
    """A file hashed and handed to a reader, waiting for its turn to be loaded."""

    source: Source
    result: FileResult
    data: bytes | None  # None for a file too large to hold (never read)
    landed: LandedFile | None
    ticket: int | None = None
    earlier: tuple | FileResult | None = None  # the registered or in-run file with this content
    too_large: str | None = None
    leftover: bool = False  # this very landing file is registered already (see AlreadyLoaded)
    archiving: _PartWrite | None = None  # the archive copy, written while the file is read


class _PartWrite:
    """Bytes written to a `.part` file on a thread (the file's archive copy, written while a
    reader parses it: 0.2-0.3 s for a 100 MB file); `wait()` re-raises what the write raised."""

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self._error: OSError | None = None
        self._thread = threading.Thread(target=self._write, args=(data,), daemon=True)
        self._thread.start()

    def _write(self, data: bytes) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(data)
        except OSError as exc:
            self._error = exc

    def wait(self) -> Path:
        self._thread.join()
        if self._error is not None:
            self.path.unlink(missing_ok=True)
            raise self._error
        return self.path

    def discard(self) -> None:
        self._thread.join()
        self.path.unlink(missing_ok=True)


def _reason_category(reason: str) -> str:
    reason = re.sub(r"'[^']*'", "'…'", reason)
    return re.sub(r"\b(row|rows) \d+", r"\1 N", reason)


class Ingestor:
    """Loads landed files into one DuckDB database. Build one per run and call `run()` (files
    in landing/) or `reprocess()` (archived files read again under today's contracts).

    Small files of one kind with the same header layout are typed and loaded together, up to
    `batch_rows` rows, in one transaction that also registers them: a DuckDB query costs
    ~20 ms to plan, which would otherwise dominate hundreds of daily snapshot files. A batch
    that fails for an unexpected reason is retried file by file, so one bad file never blocks
    the others. Files are read by a pool of reader processes a few files ahead of loading.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        settings: Settings,
        contracts: dict[str, Contract],
        now: datetime | None = None,
        batch_rows: int = 500_000,
        batch_files: int = 200,
        readers: ReaderPool | None = None,
    ):
        self.con = con
        self.settings = settings
        self.contracts = contracts
        self.now = now or datetime.now(settings.tz).replace(tzinfo=None, microsecond=0)
        self.batch_rows = batch_rows
        self.batch_files = batch_files
        self.limits = ReadLimits.from_settings(settings)
        self._readers = readers
        self.schema_changes = create_raw_schema(con, contracts)
        for change in self.schema_changes:
            log.warning("contract change: %s", change)
        install_macros(con)
        self._next_id = con.execute(
            "select coalesce(max(file_id), 0) + 1 from raw.ingested_files"
        ).fetchone()[0]
        # sha256 → (file_id, kind, status, file_name, landing_mtime_ns) of registered files
        self._known: dict[str, tuple] | None = None
        self._run_shas: dict[str, FileResult] = {}
        # Archive and quarantine files this run wrote, by file_id; the file_ids committed.
        self._written: list[tuple[Path, int]] = []
        self._committed: set[int] = set()

    @property
    def readers(self) -> ReaderPool:
        if self._readers is None:
            self._readers = shared_pool(self.contracts, self.limits, self.settings.read_workers)
        return self._readers

    # registry ---------------------------------------------------------------------------
    def _new_file_id(self) -> int:
        file_id = self._next_id
        self._next_id += 1
        return file_id

    def _seen(self, sha: str) -> tuple | FileResult | None:
        if sha in self._run_shas:
            return self._run_shas[sha]
        if self._known is None:  # one query for the whole registry, not one per file
            self._known = {}
            for sha256, *entry in self.con.execute(sql_text("registered_contents")).fetchall():
                self._known[sha256] = tuple(entry)
        return self._known.get(sha)

    def _registered_as(self, name: str, mtime_ns: int) -> bool:
        """A registry entry (any status) for this very landing file: same name, same mtime."""
        return bool(
            self.con.execute(
                sql_text("landing_file_registered"), {"file_name": name, "mtime_ns": mtime_ns}
            ).fetchone()[0]
        )

    def _register(self, results: list[FileResult]) -> None:
        superseding = [r.file_id for r in results if r.reprocess]
        if superseding:
            self._supersede(superseding)
        rows = [
            {
                "file_id": r.file_id,
                "file_name": r.file_name,
                "sha256": r.sha256,
                "size_bytes": r.size_bytes,
                "kind": r.kind,
                "landed_at": r.landed_at or self.now,
                "status": r.status,
                "rows_in_file": r.rows_in_file,
                "rows_loaded": r.rows_loaded,
                "rows_rejected": r.rows_rejected,
                "error": r.error,
                "warnings": "; ".join(r.warnings) or None,
                "encoding": r.encoding,
                "archive_path": r.archive_path,
                "duplicate_of": r.duplicate_of,
                "file_date": r.file_date,
                "landing_mtime_ns": r.landing_mtime_ns,
            }
            for r in results
        ]
        self.con.executemany(sql_text("register_file"), rows)

    def _supersede(self, file_ids: list[int]) -> None:
        """Before a file is registered again under its own file_id: its earlier outcome moves to
        a new registry row marked `superseded` (pointing at the file_id), and the rows of the
        earlier read leave raw and rejects, so that they are replaced, not added to."""
        for file_id in file_ids:
            old_kind = self.con.execute(
                "select kind from raw.ingested_files where file_id = ?", [file_id]
            ).fetchone()
            kinds = {old_kind[0]} if old_kind and old_kind[0] in self.contracts else set()
            for kind in kinds | set(self.contracts):
                self._delete_rows(kind, file_id)
            self.con.execute(
                sql_text("supersede_file"), {"superseded_id": self._new_file_id(), "file_id": file_id}
            )
            self.con.execute("delete from raw.ingested_files where file_id = ?", [file_id])

    def _delete_rows(self, kind: str, file_id: int) -> None:
        """A file's rows in raw.<kind> and raw.<kind>__rejects."""
        for table in (kind, f"{kind}__rejects"):
            self.con.execute(f"delete from raw.{ident(table)} where _file_id = ?", [file_id])

    def _rollback(self) -> None:
        # After a failed commit DuckDB has already ended the transaction: "cannot rollback - no
        # transaction is active" must not hide the error that matters.
        with contextlib.suppress(duckdb.Error):
            self.con.execute("rollback")

    # files ------------------------------------------------------------------------------
    def _archive_target(self, sha: str, kind: str | None, suffix: str) -> Path:
        folder = self.settings.archive_dir / (kind or "unknown") / self.now.date().isoformat()
        return folder / f"{sha}{suffix.lower()}"

    def _write_new(
        self, target: Path, file_id: int, data: bytes | None = None, source: Path | None = None
    ) -> None:
        """Write a file whole or not at all (through a `.part` file), remembering it for the
        clean-up of a run that stops before the file is registered."""
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        try:
            if source is not None:
                shutil.copyfile(source, tmp)
            else:
                tmp.write_bytes(data or b"")
            tmp.replace(target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise environment_problem(exc, target) or exc from exc
        self._written.append((target, file_id))

    def _archive(
        self, data: bytes | None, result: FileResult, source: Path, written: _PartWrite | None = None
    ) -> str:
        """The file's archive copy (named by its content and kind), from the `.part` file
        written while it was read when there is one."""
        target = self._archive_target(result.sha256, result.kind, source.suffix)
        if written is not None:
            try:
                part = written.wait()
            except OSError as exc:
                raise environment_problem(exc, target) or exc from exc
            if target.exists():
                part.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                part.replace(target)  # the kind read from the headers may differ from the folder's
                self._written.append((target, result.file_id))
        elif not target.exists():
            self._write_new(target, result.file_id, data, None if data is not None else source)
        return self._relative(target)

    def _quarantine_path(self, result: FileResult) -> Path:
        landed = (result.landed_at or self.now).date().isoformat()
        return (
            self.settings.quarantine_dir
            / landed
            / f"{result.file_id}__{safe_name(Path(result.file_name).name)}"
        )

    def _quarantine(self, data: bytes | None, result: FileResult, source: Path | None = None) -> None:
        target = self._quarantine_path(result)
        if data is not None or source is not None:
            self._write_new(target, result.file_id, data, source)
        self._write_new(
            target.with_name(target.name + ".reason.txt"),
            result.file_id,
            (
                f"file: {result.file_name}\n"
                f"kind: {result.kind or 'unknown'}\n"
                f"sha256: {result.sha256}\n"
                f"landed_at: {(result.landed_at or self.now).isoformat(sep=' ')}\n"
                f"file_id: {result.file_id}\n"
                f"status: {result.status}\n"
                f"reason: {result.error}\n"
                + (
                    f"after fixing the contract: salespulse reprocess {result.file_id}\n"
                    if result.status == "quarantined"
                    else ""
                )
            ).encode("utf-8"),
        )

    def _relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.settings.home.resolve()))
        except ValueError:
            return str(path)

    def _relative_landing(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.settings.landing_dir.resolve()))
        except ValueError:
            return path.name

    def _still_same(self, landed: LandedFile | None, sha: str) -> bool:
        """The landing file still holds the content that was read (same metadata and hash)."""
        if landed is None:
            return True
        if not landed.unchanged():
            return False
        try:
            return _hash_file(landed.path) == sha
        except OSError:
            return False

    def _finish_alone(
        self, result: FileResult, data: bytes | None = None, staged: Staged | None = None
    ) -> bool:
        """Register a file that loads no rows (duplicate, quarantined, refused) in its own
        transaction. False when the landing file changed meanwhile (nothing registered)."""
        landed = staged.landed if staged is not None else None
        if landed is not None and result.status != "refused" and not self._still_same(landed, result.sha256):
            return False
        written = len(self._written)
        try:
            if result.status in ("quarantined", "refused"):
                source = None
                if data is None and staged is not None and staged.too_large:
                    source = staged.source.path
                self._quarantine(data, result, source)
            self.con.execute("begin transaction")
            try:
                self._register([result])
                self.con.execute("commit")
            except Exception:
                self._rollback()
                raise
        except Exception as exc:
            for path, _ in self._written[written:]:  # nothing of an unregistered file stays behind
                path.unlink(missing_ok=True)
            del self._written[written:]
            problem = environment_problem(exc)
            if problem is not None:
                raise problem from exc
            raise
        self._committed.add(result.file_id)
        if result.reprocess and result.status != "quarantined":
            self._quarantine_path(result).unlink(missing_ok=True)
        return True

    # reading ----------------------------------------------------------------------------
    def _stage(self, source: Source) -> Staged:
        """Hash one file and hand it to a reader (unless its content is known already)."""
        data, size, sha = _read_source(source, self.limits.max_file_bytes)
        reprocess = source.file_id is not None
        mtime = source.landed.mtime_ns / 1e9 if source.landed is not None else None
        earlier = None if reprocess else self._seen(sha)
        leftover = (
            earlier is not None
            and not isinstance(earlier, FileResult)
            and source.landed is not None
            and self._registered_as(source.name, source.landed.mtime_ns)
        )
        result = FileResult(
            # A leftover is registered already: it takes no file_id, so ids stay in landing order.
            file_id=source.file_id if reprocess else -1 if leftover else self._new_file_id(),
            file_name=source.name,
            sha256=sha,
            size_bytes=size,
            kind=kind_from_folder(Path(source.name).parts[:-1], self.contracts),
            status="loaded",
            file_date=source.file_date
            or file_date_of(source.name, mtime, self.settings.tz)
            or (source.landed_at or self.now).date(),
            landed_at=source.landed_at,
            reprocess=reprocess,
            landing_mtime_ns=source.landed.mtime_ns if source.landed is not None else None,
        )
        staged = Staged(source, result, data, source.landed, earlier=earlier, leftover=leftover)
        if not reprocess:
            if earlier is not None:
                return staged
            self._run_shas[sha] = result
        if data is None:
            staged.too_large = self.limits.file_size_problem(size)
        else:
            staged.ticket = self.readers.submit(source.name, source.path, result.kind, sha)
            if not reprocess:
                target = self._archive_target(sha, result.kind, source.path.suffix)
                if not target.exists():
                    staged.archiving = _PartWrite(target.with_name(target.name + ".part"), data)
        return staged

    def _complete(self, staged: Staged) -> PreparedFile | FileResult | None:
        """Finish one staged file: the final result of a file that loads nothing (registered
        now), what has to be loaded, or None when the file changed meanwhile."""
        result, source, data = staged.result, staged.source, staged.data
        if staged.leftover:
            if not self._still_same(staged.landed, result.sha256):
                raise FileChanged("changed while it was read")
            raise AlreadyLoaded(
                f"already registered as file {staged.earlier[0]} ({staged.earlier[2]}) by a run that "
                "stopped before removing it from landing/"
            )
        if staged.earlier is not None:
            earlier = staged.earlier
            if isinstance(earlier, FileResult):  # the same content earlier in this run
                if earlier.status == "left":
                    raise FileChanged("the same content earlier in this run was left for the next run")
                earlier = (earlier.file_id, earlier.kind, earlier.status)
            result.status, result.duplicate_of, result.kind = "duplicate", earlier[0], earlier[1]
            result.error = f"same content as file {earlier[0]}: nothing loaded"
            if earlier[2] == "quarantined":
                result.error += (
                    f" (file {earlier[0]} was quarantined: fix the contract, then "
                    f"`salespulse reprocess {earlier[0]}`)"
                )
            if not self._finish_alone(result, staged=staged):
                raise FileChanged("changed while it was read")
            return result
        outcome = ReadOutcome(unreadable=staged.too_large) if staged.too_large else None
        if outcome is None:
            outcome = self.readers.result(staged.ticket)
            staged.ticket = None
            if outcome.changed:
                if staged.archiving is not None:
                    staged.archiving.discard()
                raise FileChanged(outcome.changed)
        headers = contract = orders = None
        if outcome.raw is not None:
            result.kind, result.encoding = outcome.kind, outcome.raw.encoding
            raw = outcome.raw
            try:
                contract = self.contracts[outcome.kind]
                headers = map_headers(raw.headers, contract)
                problem = headers.problem(contract)
                if problem:
                    raise ReadProblem(f"{problem}; headers found: {raw.headers}")
                positions = {c.name: headers.position(c.name) for c in contract.columns}
                orders = outcome.date_orders
                if orders is None:
                    orders = day_month_orders(raw.table, positions, contract)
                if orders.problem:
                    raise ReadProblem(orders.problem)
            except ReadProblem as exc:
                result.status, result.error = "quarantined", str(exc)
            except Exception as exc:  # a reader bug must not stop the other files
                log.exception("unexpected error reading %s", source.path)
                result.status, result.error = (
                    "quarantined",
                    f"internal error while reading: {type(exc).__name__}: {exc}",
                )
        else:
            result.status = "quarantined"
            result.error = outcome.unreadable or outcome.problem or outcome.internal
            if outcome.internal:
                log.error("reading %s: %s", source.path, outcome.internal)
        if result.reprocess:
            result.archive_path = self._relative(source.path)
        else:
            result.archive_path = self._archive(data, result, source.path, staged.archiving)
            staged.archiving = None
        if result.status == "quarantined":
            if not self._finish_alone(result, data, staged):
                raise FileChanged("changed while it was read")
            return result
        if headers.extra:
            action = "kept in _extra" if contract.extra_columns == "keep" else "ignored"
            result.warnings.append(f"unknown columns {action}: {', '.join(headers.extra.values())}")
        if headers.defaults:
            filled = ", ".join(f"{name}={contract.column(name).default}" for name in headers.defaults)
            result.warnings.append(f"columns not in the file, from their default: {filled}")
        table = with_lineage(
            raw.table, result.file_id, result.file_date, (result.landed_at or self.now).date()
        )
        result.rows_in_file = raw.rows_in_file
        return PreparedFile(
            source.path,
            result,
            contract,
            table,
            headers,
            orders,
            raw.bad_rows,
            landing_path=source.landing_path,
            landed=staged.landed,
        )

    def prepare(self, source: Source) -> PreparedFile | FileResult:
        """Hash, archive and read one file. Returns what still has to be loaded, or the final
        result of a file that loads nothing (already registered)."""
        prepared = self._complete(self._stage(source))
        if prepared is None:
            raise FileChanged(f"{source.name} changed while it was read")
        return prepared

    # loading ----------------------------------------------------------------------------
    def load(self, batch: list[PreparedFile]) -> None:
        """Type, check and load a batch of same-layout files in one transaction. A landing file
        whose content changed since it was read is taken out of the transaction (its rows are
        not committed, it is not registered, it stays in landing/): status `left`."""
        first = batch[0]
        contract, kind = first.contract, first.contract.kind
        names = contract.column_names
        raw_table, rejects_table = f"raw.{ident(kind)}", f"raw.{ident(kind + '__rejects')}"
        # The input column each contract column was read from (null: not in the file).
        source_columns = ", ".join(
            f"input_row.c{position}" if (position := first.headers.position(name)) is not None else "null"
            for name in names
        )
        source = pa.concat_tables([prepared.table for prepared in batch])
        ragged = [
            (prepared.result.file_id, number, line, reason)
            for prepared in batch
            for number, line, reason in prepared.bad_rows
        ]
        self.con.execute("begin transaction")
        try:
            self.con.register("input_rows", source)
            create_typed_table(
                self.con,
                "_typed",
                contract,
                first.headers,
                self.settings.timezone,
                self.settings.as_of,
                first.date_orders,
            )
            results = {prepared.result.file_id: prepared.result for prepared in batch}
            superseding = [file_id for file_id, result in results.items() if result.reprocess]
            if superseding:
                self._supersede(superseding)
                for result in results.values():
                    result.reprocess = False  # done: registered below as a plain insert
            loaded_at = {"loaded_at": self.now}
            self.con.execute(render("load_good_rows", raw_table=raw_table, columns=idents(names)), loaded_at)
            self.con.execute(
                render(
                    "load_rejected_rows",
                    rejects_table=rejects_table,
                    columns=idents(names),
                    source_columns=source_columns,
                ),
                loaded_at,
            )
            if ragged:
                file_ids, numbers, lines, reasons = zip(*ragged, strict=True)
                ragged_table = pa.table(
                    {"f": list(file_ids), "n": list(numbers), "line": list(lines), "reason": list(reasons)}
                )
                self.con.register("ragged_rows", ragged_table)
                self.con.execute(render("load_ragged_rows", rejects_table=rejects_table), loaded_at)
            counts = {
                file_id: (loaded, rejected)
                for file_id, loaded, rejected in self.con.execute(sql_text("batch_counts")).fetchall()
            }
            reasons = self.con.execute(sql_text("batch_reasons")).fetchall()
            for file_id, reason, count in reasons:
                results[file_id].reject_reasons[_reason_category(reason)] += count
            for prepared in batch:
                result = prepared.result
                loaded, rejected = counts.get(result.file_id, (0, 0))
                for _, _, reason in prepared.bad_rows:
                    result.reject_reasons[_reason_category(reason)] += 1
                result.rows_loaded = loaded
                result.rows_rejected = rejected + len(prepared.bad_rows)
                if result.rows_rejected and not loaded:
                    result.status = "rejected"
                elif result.rows_rejected:
                    result.status = "partially_loaded"
                else:
                    result.status = "loaded"
            # Last: is every landing file still what was read? A changed one is rolled back.
            changed = [p for p in batch if not self._still_same(p.landed, p.result.sha256)]
            for prepared in changed:
                self._delete_rows(kind, prepared.result.file_id)
                _mark_left(prepared.result, "changed while it was loaded")
            kept = [prepared.result for prepared in batch if prepared not in changed]
            if kept:
                self._register(kept)
            self.con.execute("drop table _typed")
            self.con.execute("commit")
            self._committed.update(result.file_id for result in kept)
        except Exception as exc:
            self._rollback()
            for prepared in batch:
                prepared.result.rows_loaded = prepared.result.rows_rejected = 0
                prepared.result.reject_reasons = Counter()
                prepared.result.reprocess = prepared.landing_path is None
                if prepared.result.status == "left":
                    prepared.result.status, prepared.result.error = "loaded", None
            problem = environment_problem(exc)
            if problem is not None:
                raise problem from exc
            raise
        finally:
            for view in ("input_rows", "ragged_rows"):
                with contextlib.suppress(duckdb.Error):
                    self.con.unregister(view)
        for prepared in batch:
            if prepared.landing_path is None:  # a reprocessed file that loaded: no longer quarantined
                self._quarantine_path(prepared.result).unlink(missing_ok=True)

    def _load_or_split(self, batch: list[PreparedFile]) -> None:
        try:
            self.load(batch)
            return
        except EnvironmentProblem:
            raise  # the machine, not these files: nothing to learn by splitting
        except Exception as exc:
            if len(batch) > 1:
                log.warning(
                    "batch of %d %s files failed (%s); loading them one by one",
                    len(batch),
                    batch[0].contract.kind,
                    exc,
                )
                for prepared in batch:
                    self._load_or_split([prepared])
                return
            prepared = batch[0]
            log.exception("unexpected error loading %s", prepared.path)
            prepared.result.status = "quarantined"
            prepared.result.error = f"internal error while loading: {type(exc).__name__}: {exc}"
            try:
                data = prepared.path.read_bytes()
            except OSError:
                data = None
            source = Source(prepared.path, prepared.result.file_name)
            staged = Staged(source, prepared.result, data, prepared.landed)
            if not self._finish_alone(prepared.result, data, staged):
                _mark_left(prepared.result, "changed while it was loaded")

    # a run ------------------------------------------------------------------------------
    def run(self, files: list[Path] | None = None, kinds: list[str] | None = None) -> IngestReport:
        """Load the settled files waiting in landing/ (or exactly `files`), oldest first; with
        `kinds`, only those in these kinds' folders of landing/ (the others wait for their run)."""
        report = IngestReport()
        if files is not None:
            sources = []
            for path in files:
                with contextlib.suppress(OSError):
                    landed = LandedFile.of(Path(path), self._relative_landing(Path(path)), os.stat(path))
                    sources.append(Source(Path(path), landed.name, landing_path=Path(path), landed=landed))
            return self._run(sources, report)
        scan = scan_landing(self.settings.landing_dir, self.settings.landing_settle_seconds)
        if kinds is not None:
            wanted = set(kinds)

            def in_kinds(landed: LandedFile) -> bool:
                return Path(landed.name).parts[0] in wanted

            scan.ready = [landed for landed in scan.ready if in_kinds(landed)]
            scan.waiting = [(landed, why) for landed, why in scan.waiting if in_kinds(landed)]
        for refused in scan.refused:
            report.files.append(self._refuse(refused))
        for landed, why in scan.waiting:
            report.left.append((landed.name, f"still being written: {why}"))
            log.info("%s: left for the next run, still being written (%s)", landed.name, why)
        sources = [
            Source(landed.path, landed.name, landing_path=landed.path, landed=landed) for landed in scan.ready
        ]
        return self._run(sources, report)

    def _refuse(self, refused: Refused) -> FileResult:
        """Register an entry of landing/ that is not a file, then remove it from landing/ (the
        link or the pipe itself, never what it points to)."""
        result = FileResult(
            file_id=self._new_file_id(),
            file_name=refused.name,
            sha256=hashlib.sha256(b"").hexdigest(),
            size_bytes=0,
            kind=kind_from_folder(Path(refused.name).parts[:-1], self.contracts),
            status="refused",
            error=refused.reason,
        )
        self._finish_alone(result)
        refused.path.unlink(missing_ok=True)
        log.warning("%s: %s", refused.name, refused.reason)
        return result

    def reprocess(self, file_ids: list[int]) -> IngestReport:
        """Read archived files again under today's contracts, each keeping its file_id (and so
        its place in landing order); the earlier outcome stays in the registry as `superseded`
        and the rows of the earlier read are replaced."""
        rows = self.con.execute(sql_text("reprocess_files"), {"file_ids": list(file_ids)}).fetchall()
        found = {row[0] for row in rows}
        missing = sorted(set(file_ids) - found)
        if missing:
            raise ValueError(f"no such file_id in raw.ingested_files: {missing}")
        sources = []
        for file_id, name, archive_path, landed_at, file_date, status in rows:
            if status in ("duplicate", "superseded", "refused"):
                raise ValueError(
                    f"file {file_id} is a {status} entry; reprocess the file it points to instead"
                    if status != "refused"
                    else f"file {file_id} was refused (not a regular file): there is nothing to read"
                )
            path = (
                Path(archive_path) if Path(archive_path).is_absolute() else self.settings.home / archive_path
            )
            if not path.is_file():
                raise ValueError(f"file {file_id}: its archived copy {path} is missing")
            sources.append(Source(path, name, file_id=file_id, landed_at=landed_at, file_date=file_date))
        return self._run(sources, IngestReport())

    def _run(self, sources, report: IngestReport) -> IngestReport:
        batch: list[PreparedFile] = []
        batch_rows = 0
        ahead: deque[Staged] = deque()
        window = 2 * max(1, self.settings.read_workers) + 2

        def flush() -> None:
            nonlocal batch, batch_rows
            if batch:
                self._load_or_split(batch)
                for prepared in batch:
                    if prepared.result.status == "left":
                        report.left.append((prepared.result.file_name, prepared.result.error or ""))
                    else:
                        self._done(prepared.landing_path, prepared.result, prepared.landed)
            batch, batch_rows = [], 0

        def complete(staged: Staged) -> None:
            nonlocal batch_rows
            try:
                prepared = self._complete(staged)
            except AlreadyLoaded as exc:
                log.info("%s: %s; removed from landing/", staged.result.file_name, exc)
                self._done(staged.source.landing_path, None, staged.landed)
                return
            except FileChanged as exc:
                _mark_left(staged.result, str(exc))
                report.left.append((staged.result.file_name, str(exc)))
                log.warning("%s: left in landing/ for the next run: %s", staged.result.file_name, exc)
                return
            if isinstance(prepared, FileResult):
                report.files.append(prepared)
                self._done(staged.source.landing_path, prepared, staged.landed)
                return
            report.files.append(prepared.result)
            rows = prepared.table.num_rows
            if batch and (
                prepared.signature != batch[0].signature
                or batch_rows + rows > self.batch_rows
                or len(batch) >= self.batch_files
            ):
                flush()
            batch.append(prepared)
            batch_rows += rows

        try:
            for source in sources:
                try:
                    staged = self._stage(source)
                except FileChanged as exc:
                    report.left.append((source.name, str(exc)))
                    log.warning("%s: left in landing/ for the next run: %s", source.name, exc)
                    continue
                except OSError as exc:
                    problem = environment_problem(exc)
                    if problem is not None and exc.errno not in (errno.EACCES, errno.EPERM):
                        raise problem from exc
                    # unreadable (no permission), vanished meanwhile: left for the next run
                    report.left.append((source.name, f"cannot read: {exc}"))
                    log.warning("cannot read %s: %s", source.path, exc)
                    continue
                ahead.append(staged)
                while len(ahead) > window:
                    complete(ahead.popleft())
            while ahead:
                complete(ahead.popleft())
            flush()
        except BaseException as exc:
            self._abandon(ahead, batch, report)
            problem = environment_problem(exc)
            if problem is not None and problem is not exc:
                raise problem from exc
            raise
        report.files = [result for result in report.files if result.status != "left"]
        return report

    def _abandon(self, ahead: deque[Staged], batch: list[PreparedFile], report: IngestReport) -> None:
        """A run that stops early: drop pending reads, and remove what it wrote for files it
        did not register (archive copies, quarantine files), so that nothing half-done stays."""
        for staged in ahead:
            if staged.ticket is not None:
                self.readers.forget(staged.ticket)
            if staged.archiving is not None:
                staged.archiving.discard()
        for path, file_id in self._written:
            if file_id not in self._committed:
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
        self._written = []
        unfinished = [prepared.result.file_name for prepared in batch] + [s.result.file_name for s in ahead]
        for name in unfinished:
            report.left.append((name, "the run stopped before this file was loaded"))

    def _done(self, path: Path | None, result: FileResult | None, landed: LandedFile | None = None) -> None:
        if path is not None:
            if landed is not None and not landed.unchanged():
                log.warning(
                    "%s changed after it was loaded: left in landing/; the next run loads the new "
                    "content, which supersedes this one",
                    path.name,
                )
            else:
                path.unlink(missing_ok=True)
                _prune_empty_dirs(path.parent, self.settings.landing_dir)
        if result is None:
            return
        log.info(
            "%s: %s (%s) loaded=%s rejected=%s",
            result.file_name,
            result.status,
            result.kind,
            result.rows_loaded,
            result.rows_rejected,
        )


def with_lineage(table: pa.Table, file_id: int, file_date: date | None, landed: date) -> pa.Table:
    """A file's text table with what the typing query reads besides its cells: `_row_number`
    (1.. unless the reader numbered the rows), `_file_id`, `_file_date` and `_landed_date`
    (ISO text, for `$file_date`/`$landed_date` defaults)."""
    n = table.num_rows
    if "_row_number" not in table.column_names:
        table = table.append_column("_row_number", _numbers(np.arange(1, n + 1, dtype=np.int64)))
    return (
        table.append_column("_file_id", _numbers(np.full(n, file_id, dtype=np.int64)))
        .append_column("_file_date", _constant_text(file_date.isoformat() if file_date else None, n))
        .append_column("_landed_date", _constant_text(landed.isoformat(), n))
    )


def _constant_text(value: str | None, n: int) -> pa.Array:
    """`n` copies of one text (or nulls): dictionary-encoded, one value and `n` zero indices
    (DuckDB reads it as VARCHAR). `pa.repeat` copied the text `n` times: 0.2 s per column for
    a 1.5 M-row file."""
    if value is None:
        return pa.nulls(n, type=pa.string())
    text = value.encode("utf-8")
    offsets = pa.py_buffer(np.array([0, len(text)], dtype=np.int32))
    dictionary = pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(text)])
    return pa.DictionaryArray.from_arrays(_numbers(np.zeros(n, dtype=np.int32)), dictionary)


def _numbers(values: np.ndarray) -> pa.Array:
    """A numpy vector as an Arrow array over the same memory. (`pa.array(ndarray)` first asks
    whether it is a pandas object, which imports pandas: 0.2 s in a process without it.)"""
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), len(values), [None, pa.py_buffer(values)])


def _mark_left(result: FileResult, why: str) -> None:
    result.status = "left"
    result.error = f"left in landing/ for the next run: {why}"
    result.rows_loaded = result.rows_rejected = 0


def _hash_file(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _read_source(source: Source, max_bytes: int) -> tuple[bytes | None, int, str]:
    """(content, size, sha256) of a file to load. A landing file is opened without following
    a link or blocking on a pipe, and must still be the regular file that was scanned; a file
    over `max_bytes` is hashed as a stream and its content not held (None)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(source.path, flags)
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise FileChanged("it is no longer a regular file")
        if source.landed is not None and not source.landed.same_as(st):
            raise FileChanged("it changed after it was found settled")
        if st.st_size > max_bytes:
            return None, st.st_size, hashlib.file_digest(handle, "sha256").hexdigest()
        data = handle.read()
    if source.landed is not None and len(data) != source.landed.size:
        raise FileChanged("it changed while it was read")
    return data, len(data), sha256_of(data)


def _prune_empty_dirs(folder: Path, stop: Path) -> None:
    """Leave landing/<kind>/ folders in place; remove deeper empty folders a user dropped."""
    folder, stop = folder.resolve(), stop.resolve()
    while folder != stop and folder.parent != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
