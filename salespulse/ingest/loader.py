"""Landing folder → archive + registry + raw tables, exactly once per file content.

For each file: hash it; a content seen before is registered as `duplicate` and loads
nothing. Otherwise copy it unchanged into `archive/<kind>/<date>/<sha256>.<ext>`, read it,
type and check every row in one DuckDB query, append good rows to `raw.<kind>` and the
others to `raw.<kind>__rejects` with their reasons, and register the outcome, in one
transaction. A file that cannot be read at all also goes to `quarantine/` with a reason
file. Only then is it removed from `landing/`. One failing file never stops the others.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from salespulse.config import Settings
from salespulse.contracts import Contract
from salespulse.ingest.coerce import build_query, ident, install_macros
from salespulse.ingest.dates import DateOrders, day_month_orders
from salespulse.ingest.read import (
    HeaderMapping,
    ReadProblem,
    UnreadableFile,
    kind_from_folder,
    map_headers,
    read_export,
)
from salespulse.ingest.schema import create_raw_schema

log = logging.getLogger(__name__)

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep"}
# Files still being written by a browser, an editor or a copy tool.
IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".crdownload", ".partial")


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


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

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

    @property
    def signature(self) -> tuple:
        return (self.contract.kind, self.headers.signature, self.date_orders.orders)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_name(name: str) -> str:
    """A file name that cannot climb out of its folder or confuse a shell."""
    cleaned = re.sub(r"[^\w.\-一-鿿]+", "_", name).strip("._") or "file"
    return cleaned[:120]


def pending_files(landing: Path) -> list[Path]:
    """Files waiting in landing/, oldest first (then by path): the order files are loaded in."""
    if not landing.is_dir():
        return []
    files = [
        path
        for path in landing.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and path.name not in IGNORED_NAMES
        and not path.name.startswith(("~$", ".~lock"))
        and not path.name.endswith(IN_PROGRESS_SUFFIXES)
    ]
    return sorted(files, key=lambda path: (path.stat().st_mtime_ns, str(path)))


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
    the others.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        settings: Settings,
        contracts: dict[str, Contract],
        now: datetime | None = None,
        batch_rows: int = 500_000,
        batch_files: int = 200,
    ):
        self.con = con
        self.settings = settings
        self.contracts = contracts
        self.now = now or datetime.now(settings.tz).replace(tzinfo=None, microsecond=0)
        self.batch_rows = batch_rows
        self.batch_files = batch_files
        self.schema_changes = create_raw_schema(con, contracts)
        for change in self.schema_changes:
            log.warning("contract change: %s", change)
        install_macros(con)
        self._next_id = con.execute(
            "select coalesce(max(file_id), 0) + 1 from raw.ingested_files"
        ).fetchone()[0]
        self._run_shas: dict[str, tuple[int, str | None, str]] = {}

    # registry ---------------------------------------------------------------------------
    def _new_file_id(self) -> int:
        file_id = self._next_id
        self._next_id += 1
        return file_id

    def _seen(self, sha: str) -> tuple[int, str | None, str] | None:
        if sha in self._run_shas:
            return self._run_shas[sha]
        return self.con.execute(
            "select file_id, kind, status from raw.ingested_files "
            "where sha256 = ? and status not in ('duplicate', 'superseded') order by file_id limit 1",
            [sha],
        ).fetchone()

    def _register(self, results: list[FileResult]) -> None:
        superseding = [r.file_id for r in results if r.reprocess]
        if superseding:
            self._supersede(superseding)
        rows = [
            [
                r.file_id,
                r.file_name,
                r.sha256,
                r.size_bytes,
                r.kind,
                r.landed_at or self.now,
                r.status,
                r.rows_in_file,
                r.rows_loaded,
                r.rows_rejected,
                r.error,
                "; ".join(r.warnings) or None,
                r.encoding,
                r.archive_path,
                r.duplicate_of,
                r.file_date,
            ]
            for r in results
        ]
        self.con.executemany(
            """
            insert into raw.ingested_files (
                file_id, file_name, sha256, size_bytes, kind, landed_at, status, rows_in_file,
                rows_loaded, rows_rejected, error, warnings, encoding, archive_path, duplicate_of,
                file_date
            ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            rows,
        )

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
                self.con.execute(f"delete from raw.{kind} where _file_id = ?", [file_id])
                self.con.execute(f"delete from raw.{kind}__rejects where _file_id = ?", [file_id])
            self.con.execute(
                """
                insert into raw.ingested_files by name
                select * replace (? as file_id, 'superseded' as status, ? as superseded_by)
                from raw.ingested_files where file_id = ?
                """,
                [self._new_file_id(), file_id, file_id],
            )
            self.con.execute("delete from raw.ingested_files where file_id = ?", [file_id])

    # files ------------------------------------------------------------------------------
    def _archive(self, data: bytes, sha: str, kind: str | None, suffix: str) -> str:
        folder = self.settings.archive_dir / (kind or "unknown") / self.now.date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{sha}{suffix.lower()}"
        if not target.exists():
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(data)
            tmp.replace(target)
        return self._relative(target)

    def _quarantine_path(self, result: FileResult) -> Path:
        landed = (result.landed_at or self.now).date().isoformat()
        return (
            self.settings.quarantine_dir
            / landed
            / f"{result.file_id}__{safe_name(Path(result.file_name).name)}"
        )

    def _quarantine(self, data: bytes, result: FileResult) -> None:
        target = self._quarantine_path(result)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        target.with_name(target.name + ".reason.txt").write_text(
            f"file: {result.file_name}\n"
            f"kind: {result.kind or 'unknown'}\n"
            f"sha256: {result.sha256}\n"
            f"landed_at: {(result.landed_at or self.now).isoformat(sep=' ')}\n"
            f"file_id: {result.file_id}\n"
            f"reason: {result.error}\n"
            f"after fixing the contract: salespulse reprocess {result.file_id}\n",
            encoding="utf-8",
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

    def _finish_alone(self, result: FileResult, data: bytes | None = None) -> None:
        """Register a file that loads no rows (duplicate or quarantined) in its own transaction."""
        if result.status == "quarantined" and data is not None:
            self._quarantine(data, result)
        self.con.execute("begin transaction")
        try:
            self._register([result])
            self.con.execute("commit")
        except Exception:
            self.con.execute("rollback")
            raise
        if result.reprocess and result.status != "quarantined":
            self._quarantine_path(result).unlink(missing_ok=True)

    # reading ----------------------------------------------------------------------------
    def prepare(self, source: Source) -> PreparedFile | FileResult:
        """Hash, archive and read one file. Returns what still has to be loaded, or the final
        result of a file that loads nothing (already registered)."""
        path = source.path
        data = path.read_bytes()
        sha = sha256_of(data)
        reprocess = source.file_id is not None
        mtime = source.landing_path.stat().st_mtime if source.landing_path is not None else None
        result = FileResult(
            file_id=source.file_id if reprocess else self._new_file_id(),
            file_name=source.name,
            sha256=sha,
            size_bytes=len(data),
            kind=kind_from_folder(Path(source.name).parts[:-1], self.contracts),
            status="loaded",
            file_date=source.file_date
            or file_date_of(source.name, mtime, self.settings.tz)
            or (source.landed_at or self.now).date(),
            landed_at=source.landed_at,
            reprocess=reprocess,
        )
        if not reprocess:
            earlier = self._seen(sha)
            if earlier is not None:
                result.status, result.duplicate_of, result.kind = "duplicate", earlier[0], earlier[1]
                result.error = f"same content as file {earlier[0]}: nothing loaded"
                if earlier[2] == "quarantined":
                    result.error += (
                        f" (file {earlier[0]} was quarantined: fix the contract, then "
                        f"`salespulse reprocess {earlier[0]}`)"
                    )
                self._finish_alone(result)
                return result
        headers = None
        try:
            kind, raw = read_export(path, data, result.kind, self.contracts)
            result.kind, result.encoding = kind, raw.encoding
            contract = self.contracts[kind]
            headers = map_headers(raw.headers, contract)
            problem = headers.problem(contract)
            if problem:
                raise ReadProblem(f"{problem}; headers found: {raw.headers}")
            positions = {c.name: headers.position(c.name) for c in contract.columns}
            orders = day_month_orders(raw.table, positions, contract)
            if orders.problem:
                raise ReadProblem(orders.problem)
        except (UnreadableFile, ReadProblem) as exc:
            result.status, result.error = "quarantined", str(exc)
        except Exception as exc:  # a reader bug must not stop the other files
            log.exception("unexpected error reading %s", path)
            result.status, result.error = (
                "quarantined",
                f"internal error while reading: {type(exc).__name__}: {exc}",
            )
        if reprocess:
            result.archive_path = self._relative(path)
        else:
            result.archive_path = self._archive(data, sha, result.kind, path.suffix)
            self._run_shas[sha] = (result.file_id, result.kind, result.status)
        if result.status == "quarantined":
            self._finish_alone(result, data)
            return result
        if headers.extra:
            action = "kept in _extra" if contract.extra_columns == "keep" else "ignored"
            result.warnings.append(f"unknown columns {action}: {', '.join(headers.extra.values())}")
        if headers.defaults:
            filled = ", ".join(f"{name}={contract.column(name).default}" for name in headers.defaults)
            result.warnings.append(f"columns not in the file, from their default: {filled}")
        table = raw.table
        n = table.num_rows
        if "_row_number" not in table.column_names:
            table = table.append_column("_row_number", pa.array(range(1, n + 1), type=pa.int64()))
        landed = (result.landed_at or self.now).date().isoformat()
        file_date = result.file_date.isoformat() if result.file_date else None
        table = (
            table.append_column("_file_id", pa.array([result.file_id] * n, type=pa.int64()))
            .append_column("_file_date", pa.array([file_date] * n, type=pa.string()))
            .append_column("_landed_date", pa.array([landed] * n, type=pa.string()))
        )
        result.rows_in_file = raw.rows_in_file
        return PreparedFile(
            path, result, contract, table, headers, orders, raw.bad_rows, landing_path=source.landing_path
        )

    # loading ----------------------------------------------------------------------------
    def load(self, batch: list[PreparedFile]) -> None:
        """Type, check and load a batch of same-layout files in one transaction."""
        first = batch[0]
        contract, kind = first.contract, first.contract.kind
        names = contract.column_names
        typed_cols = ", ".join(ident(name) for name in names)
        text_cols = ", ".join(
            f"source.c{first.headers.position(name)}" if first.headers.position(name) is not None else "null"
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
            query = build_query(
                contract, first.headers, self.settings.timezone, self.settings.as_of, first.date_orders
            )
            self.con.execute(f"create or replace temp table _typed as {query}")
            results = {prepared.result.file_id: prepared.result for prepared in batch}
            superseding = [file_id for file_id, result in results.items() if result.reprocess]
            if superseding:
                self._supersede(superseding)
                for result in results.values():
                    result.reprocess = False  # done: registered below as a plain insert
            self.con.execute(
                f"""
                insert into raw.{kind} ({typed_cols}, _extra, _file_id, _row_number, _loaded_at)
                select {typed_cols}, _extra, _file_id, _row_number, ?
                from _typed where len(_reasons) = 0 order by _file_id, _row_number
                """,
                [self.now],
            )
            self.con.execute(
                f"""
                insert into raw.{kind}__rejects
                    ({typed_cols}, _extra, _reasons, _file_id, _row_number, _loaded_at)
                select
                    {text_cols}, typed._extra, array_to_string(typed._reasons, '; '), typed._file_id,
                    typed._row_number, ?
                from _typed as typed
                inner join input_rows as source
                    on typed._file_id = source._file_id and typed._row_number = source._row_number
                where len(typed._reasons) > 0
                order by typed._file_id, typed._row_number
                """,
                [self.now],
            )
            if ragged:
                file_ids, numbers, lines, reasons = zip(*ragged, strict=True)
                ragged_table = pa.table(
                    {"f": list(file_ids), "n": list(numbers), "line": list(lines), "reason": list(reasons)}
                )
                self.con.register("ragged_rows", ragged_table)
                self.con.execute(
                    f"""
                    insert into raw.{kind}__rejects (_extra, _reasons, _file_id, _row_number, _loaded_at)
                    select json_object('raw_line', line), reason, f, n, ? from ragged_rows order by f, n
                    """,
                    [self.now],
                )
            counts = {
                file_id: (loaded, rejected)
                for file_id, loaded, rejected in self.con.execute(
                    "select _file_id, count_if(len(_reasons) = 0)::bigint, "
                    "count_if(len(_reasons) > 0)::bigint from _typed group by _file_id"
                ).fetchall()
            }
            reasons = self.con.execute(
                "select _file_id, r, count(*)::bigint "
                "from (select _file_id, unnest(_reasons) as r from _typed) group by all"
            ).fetchall()
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
            self._register([prepared.result for prepared in batch])
            self.con.execute("drop table _typed")
            self.con.execute("commit")
        except Exception:
            self.con.execute("rollback")
            for prepared in batch:
                prepared.result.rows_loaded = prepared.result.rows_rejected = 0
                prepared.result.reject_reasons = Counter()
                prepared.result.reprocess = prepared.landing_path is None
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
            self._finish_alone(prepared.result, prepared.path.read_bytes())

    # a run ------------------------------------------------------------------------------
    def run(self, files: list[Path] | None = None) -> IngestReport:
        """Load the files waiting in landing/ (or `files`), oldest first."""
        paths = pending_files(self.settings.landing_dir) if files is None else files
        return self._run(Source(path, self._relative_landing(path), landing_path=path) for path in paths)

    def reprocess(self, file_ids: list[int]) -> IngestReport:
        """Read archived files again under today's contracts, each keeping its file_id (and so
        its place in landing order); the earlier outcome stays in the registry as `superseded`
        and the rows of the earlier read are replaced."""
        rows = self.con.execute(
            """
            select file_id, file_name, archive_path, landed_at, file_date, status
            from raw.ingested_files where file_id in (select unnest(?)) order by file_id
            """,
            [list(file_ids)],
        ).fetchall()
        found = {row[0] for row in rows}
        missing = sorted(set(file_ids) - found)
        if missing:
            raise ValueError(f"no such file_id in raw.ingested_files: {missing}")
        sources = []
        for file_id, name, archive_path, landed_at, file_date, status in rows:
            if status in ("duplicate", "superseded"):
                raise ValueError(
                    f"file {file_id} is a {status} entry; reprocess the file it points to instead"
                )
            path = (
                Path(archive_path) if Path(archive_path).is_absolute() else self.settings.home / archive_path
            )
            if not path.is_file():
                raise ValueError(f"file {file_id}: its archived copy {path} is missing")
            sources.append(Source(path, name, file_id=file_id, landed_at=landed_at, file_date=file_date))
        return self._run(sources)

    def _run(self, sources) -> IngestReport:
        report = IngestReport()
        batch: list[PreparedFile] = []
        batch_rows = 0

        def flush() -> None:
            nonlocal batch, batch_rows
            if batch:
                self._load_or_split(batch)
                for prepared in batch:
                    self._done(prepared.landing_path, prepared.result)
            batch, batch_rows = [], 0

        for source in sources:
            try:
                prepared = self.prepare(source)
            except OSError as exc:  # unreadable from disk, vanished meanwhile: left for the next run
                log.warning("cannot read %s: %s", source.path, exc)
                continue
            if isinstance(prepared, FileResult):
                report.files.append(prepared)
                self._done(source.landing_path, prepared)
                continue
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
        flush()
        return report

    def _done(self, path: Path | None, result: FileResult) -> None:
        if path is not None:
            path.unlink(missing_ok=True)
            _prune_empty_dirs(path.parent, self.settings.landing_dir)
        log.info(
            "%s: %s (%s) loaded=%s rejected=%s",
            result.file_name,
            result.status,
            result.kind,
            result.rows_loaded,
            result.rows_rejected,
        )


def _prune_empty_dirs(folder: Path, stop: Path) -> None:
    """Leave landing/<kind>/ folders in place; remove deeper empty folders a user dropped."""
    folder, stop = folder.resolve(), stop.resolve()
    while folder != stop and folder.parent != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
