"""The raw tables published as Parquet files, for warehouses other than the ingest's DuckDB file.

With `SALESPULSE_RAW_PARQUET=1` every ingest run ends (the `raw/work_calendar` step) by
mirroring the `raw` schema to `$SALESPULSE_HOME/raw_parquet/`:

    raw_parquet/<table>/load_date=<YYYY-MM-DD>/<file_id>-<version>.parquet   a loaded file's rows
    raw_parquet/<table>/_schema/empty.parquet                                 no rows, every column
    raw_parquet/<table>/_whole/<table>.parquet          tables without _file_id (registry, calendar)

One Parquet file per landed file, in the folder of the day it was loaded: a daily run adds a
few files and rewrites nothing. `<version>` is the load time of the file's rows in microseconds,
so a file read again (`salespulse reprocess`, same file_id) gets a new name and the old one is
removed; a file whose rows left raw (superseded) leaves the folder too. `_schema/empty.parquet`
carries the table's current columns, so a reader that unions by name sees a column a contract
added even before a file has it, and a table with no rows still has a schema.

Every file is written under a temporary name and renamed into place: a reader sees a whole
file or none, and a sync that dies half-way is completed by the next one (the mirror is
recomputed from raw each time, never from what the last sync meant to do).

dbt reads the folder instead of the `raw` schema when the var `raw_parquet_dir` is set
(SALESPULSE_DBT_RAW_PARQUET_DIR; `macros/raw_parquet.sql`): one ingest can feed another warehouse.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from salespulse.ingest.sqlfiles import ident, literal, render, sql_text

SCHEMA_FILE = Path("_schema") / "empty.parquet"
WHOLE_DIR = "_whole"
_STAGING = ".staging"


@dataclass
class ParquetSync:
    """What one sync changed."""

    written: int = 0  # Parquet files written (per-file and whole tables)
    removed: int = 0  # files whose rows left raw, or an older read of them
    rows: int = 0  # rows written
    seconds: float = 0.0


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """raw's tables: {name: carries _file_id}."""
    rows = con.execute(sql_text("raw_tables_with_lineage")).fetchall()
    return {name: bool(per_file) for name, per_file in rows}


def _copy(con: duckdb.DuckDBPyConnection, query: str, target: Path) -> None:
    """`query`'s rows to the Parquet file `target`, through a temporary name beside it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    con.execute(f"copy ({query}) to {literal(tmp)} (format parquet)")
    os.replace(tmp, target)


def sync_raw_parquet(con: duckdb.DuckDBPyConnection, directory: Path) -> ParquetSync:
    """Mirror the raw schema of `con` to `directory` (see the module docstring)."""
    started = time.perf_counter()
    directory = Path(directory)
    outcome = ParquetSync()
    for table, per_file in _tables(con).items():
        folder = directory / table
        relation = f"raw.{ident(table)}"
        if not per_file:
            _copy(con, f"select * from {relation}", folder / WHOLE_DIR / f"{table}.parquet")
            outcome.written += 1
            outcome.rows += con.execute(f"select count(*) from {relation}").fetchone()[0]
            continue
        _copy(con, f"select * from {relation} limit 0", folder / SCHEMA_FILE)
        versions = con.execute(render("parquet_file_versions", relation=relation)).fetchall()
        wanted = {name: (file_id, rows) for file_id, name, rows in versions}
        present = {path.relative_to(folder).as_posix(): path for path in folder.glob("load_date=*/*.parquet")}
        missing = sorted(set(wanted) - set(present))
        if missing:
            outcome.written += len(missing)
            outcome.rows += sum(wanted[name][1] for name in missing)
            _write_files(con, relation, folder, {wanted[name][0]: name for name in missing})
        for name in set(present) - set(wanted):
            present[name].unlink()
            outcome.removed += 1
        for empty in folder.glob("load_date=*"):
            if empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome


def _write_files(con: duckdb.DuckDBPyConnection, relation: str, folder: Path, names: dict[int, str]) -> None:
    """The rows of the files `names` ({file_id: relative name}) in one partitioned COPY, each
    partition's Parquet file then renamed to its name."""
    staging = folder / f"{_STAGING}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    con.execute("create or replace temp table _sp_parquet_files (file_id bigint, part varchar)")
    con.executemany(
        "insert into _sp_parquet_files values (?, ?)", [[file_id, str(file_id)] for file_id in names]
    )
    try:
        con.execute(render("parquet_copy_files", relation=relation, staging=literal(staging)))
        for file_id, name in names.items():
            written = sorted((staging / f"_sp_part={file_id}").glob("*.parquet"))
            if len(written) != 1:
                raise RuntimeError(f"{relation}: expected one Parquet file for file {file_id}, got {written}")
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(written[0], target)
    finally:
        con.execute("drop table if exists _sp_parquet_files")
        shutil.rmtree(staging, ignore_errors=True)
