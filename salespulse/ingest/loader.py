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
    """Loads landed files into one DuckDB database. Build one per run and call `run()`."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        settings: Settings,
        contracts: dict[str, Contract],
        now: datetime | None = None,
    ):
        self.con = con
        self.settings = settings
        self.contracts = contracts
        self.now = now or datetime.now(settings.tz).replace(tzinfo=None, microsecond=0)
        create_raw_schema(con, contracts)
        install_macros(con)

    # registry ---------------------------------------------------------------------------
    def _next_file_id(self) -> int:
        return self.con.execute("select coalesce(max(file_id), 0) + 1 from raw.ingested_files").fetchone()[0]

    def _seen(self, sha: str) -> int | None:
        row = self.con.execute(
            "select min(file_id) from raw.ingested_files where sha256 = ? and status <> 'duplicate'", [sha]
        ).fetchone()
        return row[0] if row else None

    def _register(self, result: FileResult) -> None:
        self.con.execute(
            """
            insert into raw.ingested_files (
                file_id, file_name, sha256, size_bytes, kind, landed_at, status, rows_in_file,
                rows_loaded, rows_rejected, error, warnings, encoding, archive_path, duplicate_of
            ) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                result.file_id,
                result.file_name,
                result.sha256,
                result.size_bytes,
                result.kind,
                self.now,
                result.status,
                result.rows_in_file,
                result.rows_loaded,
                result.rows_rejected,
                result.error,
                "; ".join(result.warnings) or None,
                result.encoding,
                result.archive_path,
                result.duplicate_of,
            ],
        )

    # files ------------------------------------------------------------------------------
    def _archive(self, data: bytes, sha: str, kind: str | None, suffix: str) -> Path:
        folder = self.settings.archive_dir / (kind or "unknown") / self.now.date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{sha}{suffix.lower()}"
        if not target.exists():
            tmp = target.with_name(target.name + ".part")
            tmp.write_bytes(data)
            tmp.replace(target)
        return target

    def _quarantine(self, data: bytes, result: FileResult, original: Path) -> None:
        folder = self.settings.quarantine_dir / self.now.date().isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{result.file_id}__{safe_name(original.name)}"
        target.write_bytes(data)
        target.with_name(target.name + ".reason.txt").write_text(
            f"file: {original.name}\n"
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

    # one file ---------------------------------------------------------------------------
    def ingest_file(self, path: Path) -> FileResult:
        data = path.read_bytes()
        sha = sha256_of(data)
        landing = self.settings.landing_dir
        folder_kind = kind_from_folder(path, landing, self.contracts)
        result = FileResult(
            file_id=self._next_file_id(),
            file_name=self._relative_landing(path),
            sha256=sha,
            size_bytes=len(data),
            kind=folder_kind,
            status="loaded",
        )
        earlier = self._seen(sha)
        if earlier is not None:
            result.status = "duplicate"
            result.duplicate_of = earlier
            result.kind = self.con.execute(
                "select kind from raw.ingested_files where file_id = ?", [earlier]
            ).fetchone()[0]
            result.error = f"same content as file {earlier}: nothing loaded"
            self._register(result)
            return result
        self.con.execute("begin transaction")
        try:
            self._load(path, data, result)
            archive = self._archive(data, sha, result.kind, path.suffix)
            result.archive_path = self._relative(archive)
            self._register(result)
            self.con.execute("commit")
        except Exception as exc:
            self.con.execute("rollback")
            if isinstance(exc, UnreadableFile | ReadProblem):
                result.error = str(exc)
            else:
                log.exception("unexpected error ingesting %s", path)
                result.error = f"internal error while loading: {type(exc).__name__}: {exc}"
            result.status = "quarantined"
            result.rows_loaded = result.rows_rejected = 0
            result.reject_reasons = Counter()
            archive = self._archive(data, sha, result.kind, path.suffix)
            result.archive_path = self._relative(archive)
            self._quarantine(data, result, path)
            self._register(result)
        return result

    def _relative_landing(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.settings.landing_dir.resolve()))
        except ValueError:
            return path.name

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

    def _load(self, path: Path, data: bytes, result: FileResult) -> None:
        kind, raw = self.read(path, data, result.kind)
        result.kind = kind
        result.encoding = raw.encoding
        contract = self.contracts[kind]
        headers = map_headers(raw.headers, contract)
        if headers.duplicates:
            raise ReadProblem(f"columns appear twice: {', '.join(headers.duplicates)}")
        if headers.missing_required:
            tried = "; ".join(
                f"'{name}' (tried: {', '.join([name, *contract.column(name).aliases])})"
                for name in headers.missing_required
            )
            raise ReadProblem(f"missing required column {tried}; headers found: {raw.headers}")
        if headers.extra:
            action = "kept in _extra" if contract.extra_columns == "keep" else "ignored"
            result.warnings.append(f"unknown columns {action}: {', '.join(headers.extra.values())}")
        table = raw.table
        if "_row_number" not in table.column_names:
            table = table.append_column(
                "_row_number", pa.array(range(1, table.num_rows + 1), type=pa.int64())
            )
        result.rows_in_file = raw.rows_in_file
        names = contract.column_names
        typed_cols = ", ".join(ident(name) for name in names)
        position_of = {name: position for position, name in headers.mapping.items()}
        text_cols = ", ".join(
            f"source.c{position_of[name]}" if name in position_of else "null" for name in names
        )
        self.con.register("input_rows", table)
        try:
            query = build_query(contract, headers.mapping, headers.extra, self.settings.timezone)
            self.con.execute(f"create or replace temp table _typed as {query}")
            self.con.execute(
                f"""
                insert into raw.{kind} ({typed_cols}, _extra, _file_id, _row_number, _loaded_at)
                select {typed_cols}, _extra, ?, _row_number, ?
                from _typed where len(_reasons) = 0 order by _row_number
                """,
                [result.file_id, self.now],
            )
            self.con.execute(
                f"""
                insert into raw.{kind}__rejects
                    ({typed_cols}, _extra, _reasons, _file_id, _row_number, _loaded_at)
                select
                    {text_cols}, typed._extra, array_to_string(typed._reasons, '; '), ?,
                    typed._row_number, ?
                from _typed as typed
                inner join input_rows as source on typed._row_number = source._row_number
                where len(typed._reasons) > 0
                order by typed._row_number
                """,
                [result.file_id, self.now],
            )
        finally:
            with contextlib.suppress(duckdb.Error):  # fails inside an aborted transaction
                self.con.unregister("input_rows")
        if raw.bad_rows:
            numbers, lines, reasons = zip(*raw.bad_rows, strict=True)
            ragged = pa.table({"n": list(numbers), "line": list(lines), "reason": list(reasons)})
            self.con.register("ragged_rows", ragged)
            self.con.execute(
                f"""
                insert into raw.{kind}__rejects (_extra, _reasons, _file_id, _row_number, _loaded_at)
                select json_object('raw_line', line), reason, ?, n, ? from ragged_rows order by n
                """,
                [result.file_id, self.now],
            )
            self.con.unregister("ragged_rows")
        loaded, rejected = self.con.execute(
            "select coalesce(count_if(len(_reasons) = 0), 0)::bigint, "
            "coalesce(count_if(len(_reasons) > 0), 0)::bigint from _typed"
        ).fetchone()
        reasons = self.con.execute(
            "select r, count(*)::bigint from (select unnest(_reasons) as r from _typed) group by r"
        ).fetchall()
        self.con.execute("drop table _typed")
        for reason, count in reasons:
            result.reject_reasons[_reason_category(reason)] += count
        for _, _, reason in raw.bad_rows:
            result.reject_reasons[_reason_category(reason)] += 1
        result.rows_loaded = loaded
        result.rows_rejected = rejected + len(raw.bad_rows)
        result.status = "partially_loaded" if result.rows_rejected else "loaded"

    # a run ------------------------------------------------------------------------------
    def run(self, files: list[Path] | None = None) -> IngestReport:
        report = IngestReport()
        for path in pending_files(self.settings.landing_dir) if files is None else files:
            try:
                result = self.ingest_file(path)
            except OSError as exc:  # unreadable from disk, vanished meanwhile: leave it for next run
                log.warning("cannot read %s: %s", path, exc)
                continue
            report.files.append(result)
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
        return report


def _prune_empty_dirs(folder: Path, stop: Path) -> None:
    """Leave landing/<kind>/ folders in place; remove deeper empty folders a user dropped."""
    folder, stop = folder.resolve(), stop.resolve()
    while folder != stop and folder.parent != stop and folder.is_relative_to(stop):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
