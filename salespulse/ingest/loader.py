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
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from salespulse.config import Settings
from salespulse.contracts import Contract
from salespulse.ingest.coerce import build_query, ident, install_macros
from salespulse.ingest.read import (
    RawTable,
    UnreadableFile,
    detect_kind,
    kind_from_folder,
    map_headers,
    read_file,
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


class ReadProblem(Exception):
    """The file was read but cannot be loaded (unknown kind, missing required column)."""


@dataclass
class PreparedFile:
    """A file read and mapped, waiting to be typed and loaded with others of its kind."""

    path: Path
    result: FileResult
    contract: Contract
    table: pa.Table  # c0..cN strings, _file_id, _row_number
    mapping: dict[int, str]
    extra: dict[int, str]
    bad_rows: list[tuple[int, str, str]]

    @property
    def signature(self) -> tuple:
        return (self.contract.kind, tuple(sorted(self.mapping.items())), tuple(sorted(self.extra.items())))


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


def _reason_category(reason: str) -> str:
    reason = re.sub(r"'[^']*'", "'…'", reason)
    return re.sub(r"\b(row|rows) \d+", r"\1 N", reason)


class Ingestor:
    """Loads landed files into one DuckDB database. Build one per run and call `run()`.

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
        create_raw_schema(con, contracts)
        install_macros(con)
        self._next_id = con.execute(
            "select coalesce(max(file_id), 0) + 1 from raw.ingested_files"
        ).fetchone()[0]
        self._run_shas: dict[str, tuple[int, str | None]] = {}

    # registry ---------------------------------------------------------------------------
    def _new_file_id(self) -> int:
        file_id = self._next_id
        self._next_id += 1
        return file_id

    def _seen(self, sha: str) -> tuple[int, str | None] | None:
        if sha in self._run_shas:
            return self._run_shas[sha]
        return self.con.execute(
            "select file_id, kind from raw.ingested_files where sha256 = ? and status <> 'duplicate' "
            "order by file_id limit 1",
            [sha],
        ).fetchone()

    def _register(self, results: list[FileResult]) -> None:
        rows = [
            [
                r.file_id,
                r.file_name,
                r.sha256,
                r.size_bytes,
                r.kind,
                self.now,
                r.status,
                r.rows_in_file,
                r.rows_loaded,
                r.rows_rejected,
                r.error,
                "; ".join(r.warnings) or None,
                r.encoding,
                r.archive_path,
                r.duplicate_of,
            ]
            for r in results
        ]
        self.con.executemany(
            """
            insert into raw.ingested_files (
                file_id, file_name, sha256, size_bytes, kind, landed_at, status, rows_in_file,
                rows_loaded, rows_rejected, error, warnings, encoding, archive_path, duplicate_of
            ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            rows,
        )

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

    def _quarantine(self, data: bytes, result: FileResult, original: Path) -> None:
        folder = self.settings.quarantine_dir / self.now.date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{result.file_id}__{safe_name(original.name)}"
        target.write_bytes(data)
        target.with_name(target.name + ".reason.txt").write_text(
            f"file: {result.file_name}\n"
            f"kind: {result.kind or 'unknown'}\n"
            f"sha256: {result.sha256}\n"
            f"landed_at: {self.now.isoformat(sep=' ')}\n"
            f"file_id: {result.file_id}\n"
            f"reason: {result.error}\n",
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

    def _finish_alone(self, result: FileResult, data: bytes | None = None, path: Path | None = None) -> None:
        """Register a file that loads no rows (duplicate or quarantined) in its own transaction."""
        if result.status == "quarantined" and data is not None and path is not None:
            self._quarantine(data, result, path)
        self._register([result])

    # reading ----------------------------------------------------------------------------
    def read(self, path: Path, data: bytes, kind: str | None) -> tuple[str, RawTable]:
        """Read a file and settle its kind: from its folder, else from its headers."""
        contract = self.contracts.get(kind) if kind else None
        raw = read_file(path, data, contract.encoding if contract else None)
        if kind is None:
            kind = detect_kind(raw.headers, self.contracts)
            if kind is None:
                raise ReadProblem(
                    "cannot tell which kind of export this is: its headers "
                    f"{raw.headers[:12]} match no contract's required columns; "
                    "put it in landing/<kind>/ or add header aliases to the contract"
                )
            if self.contracts[kind].encoding and raw.encoding != "xlsx":
                raw = read_file(path, data, self.contracts[kind].encoding)
        return kind, raw

    def prepare(self, path: Path) -> PreparedFile | FileResult:
        """Hash, archive and read one file. Returns what still has to be loaded, or the final
        result of a file that loads nothing (already registered)."""
        data = path.read_bytes()
        sha = sha256_of(data)
        result = FileResult(
            file_id=self._new_file_id(),
            file_name=self._relative_landing(path),
            sha256=sha,
            size_bytes=len(data),
            kind=kind_from_folder(path, self.settings.landing_dir, self.contracts),
            status="loaded",
        )
        earlier = self._seen(sha)
        if earlier is not None:
            result.status, result.duplicate_of, result.kind = "duplicate", earlier[0], earlier[1]
            result.error = f"same content as file {earlier[0]}: nothing loaded"
            self._finish_alone(result)
            return result
        try:
            kind, raw = self.read(path, data, result.kind)
            result.kind, result.encoding = kind, raw.encoding
            contract = self.contracts[kind]
            headers = map_headers(raw.headers, contract)
            problem = headers.problem(contract)
            if problem:
                raise ReadProblem(f"{problem}; headers found: {raw.headers}")
        except (UnreadableFile, ReadProblem) as exc:
            result.status, result.error = "quarantined", str(exc)
        except Exception as exc:  # a reader bug must not stop the other files
            log.exception("unexpected error reading %s", path)
            result.status, result.error = (
                "quarantined",
                f"internal error while reading: {type(exc).__name__}: {exc}",
            )
        result.archive_path = self._archive(data, sha, result.kind, path.suffix)
        self._run_shas[sha] = (result.file_id, result.kind)
        if result.status == "quarantined":
            self._finish_alone(result, data, path)
            return result
        if headers.extra:
            action = "kept in _extra" if contract.extra_columns == "keep" else "ignored"
            result.warnings.append(f"unknown columns {action}: {', '.join(headers.extra.values())}")
        table = raw.table
        if "_row_number" not in table.column_names:
            table = table.append_column(
                "_row_number", pa.array(range(1, table.num_rows + 1), type=pa.int64())
            )
        table = table.append_column("_file_id", pa.array([result.file_id] * table.num_rows, type=pa.int64()))
        result.rows_in_file = raw.rows_in_file
        return PreparedFile(path, result, contract, table, headers.mapping, headers.extra, raw.bad_rows)

    # loading ----------------------------------------------------------------------------
    def load(self, batch: list[PreparedFile]) -> None:
        """Type, check and load a batch of same-layout files in one transaction."""
        first = batch[0]
        contract, kind = first.contract, first.contract.kind
        names = contract.column_names
        typed_cols = ", ".join(ident(name) for name in names)
        position_of = {name: position for position, name in first.mapping.items()}
        text_cols = ", ".join(
            f"source.c{position_of[name]}" if name in position_of else "null" for name in names
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
            query = build_query(contract, first.mapping, first.extra, self.settings.timezone)
            self.con.execute(f"create or replace temp table _typed as {query}")
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
            results = {prepared.result.file_id: prepared.result for prepared in batch}
            for file_id, reason, count in reasons:
                results[file_id].reject_reasons[_reason_category(reason)] += count
            for prepared in batch:
                result = prepared.result
                loaded, rejected = counts.get(result.file_id, (0, 0))
                for _, _, reason in prepared.bad_rows:
                    result.reject_reasons[_reason_category(reason)] += 1
                result.rows_loaded = loaded
                result.rows_rejected = rejected + len(prepared.bad_rows)
                result.status = "partially_loaded" if result.rows_rejected else "loaded"
            self._register([prepared.result for prepared in batch])
            self.con.execute("drop table _typed")
            self.con.execute("commit")
        except Exception:
            self.con.execute("rollback")
            for prepared in batch:
                prepared.result.rows_loaded = prepared.result.rows_rejected = 0
                prepared.result.reject_reasons = Counter()
            raise
        finally:
            for view in ("input_rows", "ragged_rows"):
                with contextlib.suppress(duckdb.Error):
                    self.con.unregister(view)

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
            self._finish_alone(prepared.result, prepared.path.read_bytes(), prepared.path)

    # a run ------------------------------------------------------------------------------
    def run(self, files: list[Path] | None = None) -> IngestReport:
        report = IngestReport()
        batch: list[PreparedFile] = []
        batch_rows = 0

        def flush() -> None:
            nonlocal batch, batch_rows
            if batch:
                self._load_or_split(batch)
                for prepared in batch:
                    self._done(prepared.path, prepared.result)
            batch, batch_rows = [], 0

        for path in pending_files(self.settings.landing_dir) if files is None else files:
            try:
                prepared = self.prepare(path)
            except OSError as exc:  # unreadable from disk, vanished meanwhile: left for the next run
                log.warning("cannot read %s: %s", path, exc)
                continue
            if isinstance(prepared, FileResult):
                report.files.append(prepared)
                self._done(path, prepared)
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

    def _done(self, path: Path, result: FileResult) -> None:
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
