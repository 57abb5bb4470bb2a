"""Raw into PostgreSQL, for the dbt project's `postgres` target (issue #15).

The ingest writes raw into DuckDB and, with `SALESPULSE_RAW_PARQUET=1`, mirrors it to Parquet
files (salespulse.ingest.parquet). This is the documented step that feeds a Postgres warehouse
from those files: `salespulse load-postgres` reads every table folder of the mirror (the files
of each table unioned by name, as dbt-duckdb reads them) and replaces the rows of the same table
in the Postgres schema `raw`, every table in one transaction, so a reader (or a dbt run) sees
the previous load or this one, never half of it. A column the mirror has and the table lacks is
added; a table is created on first load. DuckDB reads the Parquet files and writes each table as
CSV into a temporary folder, which psycopg2 streams in with COPY.

The connection comes from the same variables the dbt profile's `postgres` output reads, as read
into `Settings.postgres_connect_args()`: SALESPULSE_PG_HOST (127.0.0.1), SALESPULSE_PG_PORT
(5432), SALESPULSE_PG_USER (salespulse), SALESPULSE_PG_PASSWORD, SALESPULSE_PG_DB (salespulse).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from salespulse.ingest.sqlfiles import ident, idents, literal

# DuckDB's types of the raw tables → Postgres. JSON stays text: the rows' `_extra` keeps the
# exact text DuckDB keeps (jsonb would re-render it and change the fingerprints made from it).
_TYPES = {
    "VARCHAR": "text",
    "JSON": "text",
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_SCHEMA = "raw"


class PostgresLoadError(RuntimeError):
    """The mirror cannot be loaded as it is (no folder, a type Postgres is not given here)."""


@dataclass
class PostgresLoad:
    """What one load wrote."""

    tables: dict[str, int] = field(default_factory=dict)  # table → rows now in Postgres
    columns_added: list[str] = field(default_factory=list)  # "table.column"
    seconds: float = 0.0


def postgres_type(duckdb_type: str) -> str:
    """The Postgres column type for one of DuckDB's, or PostgresLoadError."""
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal.group(1)},{decimal.group(2)})"
    if duckdb_type in _TYPES:
        return _TYPES[duckdb_type]
    raise PostgresLoadError(f"no Postgres type is set for DuckDB's {duckdb_type}")


def mirror_tables(directory: Path) -> list[str]:
    """The tables of a raw Parquet mirror: its folders that hold Parquet files."""
    if not directory.is_dir():
        raise PostgresLoadError(
            f"{directory} is not a folder: the raw Parquet mirror is written by the ingest with "
            "SALESPULSE_RAW_PARQUET=1"
        )
    return sorted(
        child.name
        for child in directory.iterdir()
        if child.is_dir() and not child.name.startswith(".") and any(child.glob("*/*.parquet"))
    )


def load_raw(directory: Path, connect_args: Mapping[str, object]) -> PostgresLoad:
    """Replace Postgres's raw tables with the mirror's, all in one transaction."""
    import psycopg2

    started = time.perf_counter()
    tables = mirror_tables(directory)
    if not tables:
        raise PostgresLoadError(f"{directory} holds no table of Parquet files")
    result = PostgresLoad()
    reader = duckdb.connect()
    target = psycopg2.connect(**connect_args)
    try:
        with tempfile.TemporaryDirectory(prefix="salespulse-pg-load-") as scratch, target.cursor() as cursor:
            cursor.execute(f"create schema if not exists {_SCHEMA}")
            for table in tables:
                files = literal(directory / table / "*" / "*.parquet")
                relation = f"read_parquet({files}, union_by_name = true, hive_partitioning = false)"
                columns = reader.execute(f"describe select * from {relation}").fetchall()
                _ensure_table(
                    cursor, table, [(name, postgres_type(kind)) for name, kind, *_ in columns], result
                )
                names = idents(name for name, *_ in columns)
                csv = Path(scratch) / f"{table}.csv"
                reader.execute(f"copy (select {names} from {relation}) to {literal(csv)} (header false)")
                cursor.execute(f"truncate {_SCHEMA}.{ident(table)}")
                with csv.open(encoding="utf-8") as rows:
                    cursor.copy_expert(
                        f"copy {_SCHEMA}.{ident(table)} ({names}) from stdin with (format csv)", rows
                    )
                csv.unlink()
                result.tables[table] = cursor.rowcount
        target.commit()
    except BaseException:
        target.rollback()
        raise
    finally:
        target.close()
        reader.close()
    result.seconds = round(time.perf_counter() - started, 2)
    return result


def _ensure_table(cursor, table: str, columns: list[tuple[str, str]], result: PostgresLoad) -> None:
    """Create the table, or add the columns it lacks (a contract added one since the last load)."""
    cursor.execute(
        "select column_name from information_schema.columns where table_schema = %s and table_name = %s",
        (_SCHEMA, table),
    )
    existing = {row[0] for row in cursor.fetchall()}
    if not existing:
        listed = ", ".join(f"{ident(name)} {kind}" for name, kind in columns)
        cursor.execute(f"create table {_SCHEMA}.{ident(table)} ({listed})")
        return
    for name, kind in columns:
        if name not in existing:
            cursor.execute(f"alter table {_SCHEMA}.{ident(table)} add column {ident(name)} {kind}")
            result.columns_added.append(f"{table}.{name}")
