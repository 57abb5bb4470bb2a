"""Publish the marts to `analytics.duckdb`, the read-only copy analysts query.

The pipeline is the only process that opens `warehouse.duckdb` (DuckDB allows one writer, and
even a reader's lock makes `dbt build` fail). After each build the marts are copied into a
temporary file which is then renamed over `analytics.duckdb`: a reader that has the old file
open keeps a consistent old snapshot, a reader that opens it afterwards gets the new one, and
nobody ever sees a half-built state or a lock error.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)
# Lineage an analyst needs to explain a figure: which file a row came from, what was rejected.
AUDIT_TABLES = ("ingested_files",)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_analytics(con: duckdb.DuckDBPyConnection, target: Path) -> dict:
    """Copy the published schemas from the open warehouse `con` into `target`, atomically."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    objects = con.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_catalog = current_database() and table_schema in (select unnest(?))
        order by 1, 2
        """,
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    con.execute(f"attach {_quote(str(tmp))} as analytics_publish")
    try:
        rows = {}
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f'create schema if not exists analytics_publish."{schema}"')
        for schema, name in objects:
            con.execute(
                f'create table analytics_publish."{schema}"."{name}" as select * from "{schema}"."{name}"'
            )
            rows[f"{schema}.{name}"] = con.execute(
                f'select count(*) from analytics_publish."{schema}"."{name}"'
            ).fetchone()[0]
        con.execute('create schema if not exists analytics_publish."audit"')
        for name in AUDIT_TABLES:
            exists = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = 'raw' and table_name = ?",
                [name],
            ).fetchone()[0]
            if exists:
                con.execute(f'create table analytics_publish."audit"."{name}" as select * from raw."{name}"')
        con.execute("checkpoint analytics_publish")
    finally:
        con.execute("detach analytics_publish")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return {"tables": len(objects), "rows": rows, "path": str(target)}
