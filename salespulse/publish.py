"""Publish the marts to `analytics.duckdb`, the read-only copy analysts query.

The pipeline is the only process that opens `warehouse.duckdb` (DuckDB allows one writer, and
even a reader's lock makes `dbt build` fail). After each build the marts are copied into a
temporary file which is then renamed over `analytics.duckdb`: a reader that has the old file
open keeps a consistent old snapshot, a reader that opens it afterwards gets the new one, and
nobody ever sees a half-built state or a lock error.

The copy keeps the descriptions: every COMMENT ON a published table or column in the warehouse
(dbt writes them from the models' yml, `persist_docs`) is written on the copy too, so an analyst
reads what a column means from SQL (`duckdb_columns()`, `describe` in `salespulse sql`).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import duckdb

PUBLISHED_SCHEMAS = ("marts",)
# Lineage an analyst needs to explain a figure: which file a row came from, what was rejected.
AUDIT_TABLES = ("ingested_files",)

# {"schema.table": (table comment, {column: comment})}
Comments = dict[str, tuple[str | None, dict[str, str]]]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def plain_text(description: str | None) -> str:
    """A dbt description as one line of plain text (the same folding the dbt macro does)."""
    return re.sub(r"\s+", " ", (description or "").replace("**", "")).strip()


def warehouse_comments(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> Comments:
    """The comments on the tables, views and columns of `schemas` in the open database."""
    found: Comments = {}
    for schema, name, comment in con.execute(
        """
        select schema_name, table_name, comment from duckdb_tables()
        where database_name = current_database() and schema_name in (select unnest(?))
        union all
        select schema_name, view_name, comment from duckdb_views()
        where database_name = current_database() and schema_name in (select unnest(?)) and not internal
        """,
        [list(schemas), list(schemas)],
    ).fetchall():
        found[f"{schema}.{name}"] = (comment or None, {})
    for schema, name, column, comment in con.execute(
        """
        select schema_name, table_name, column_name, comment from duckdb_columns()
        where database_name = current_database() and schema_name in (select unnest(?))
            and comment is not null and comment <> ''
        """,
        [list(schemas)],
    ).fetchall():
        found.setdefault(f"{schema}.{name}", (None, {}))[1][column] = comment
    return found


def source_comments(manifest_path: Path, source_schema: str, tables: tuple[str, ...]) -> Comments:
    """Descriptions of raw tables from dbt's manifest, for their copies under `audit`.

    The source's own descriptions come first; a column the source does not describe takes the
    description of the same column in the staging model that selects from that source.
    """
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    found: Comments = {}
    for source in manifest.get("sources", {}).values():
        if source.get("schema") != source_schema or source.get("name") not in tables:
            continue
        columns = {
            name: plain_text(column.get("description"))
            for name, column in source.get("columns", {}).items()
            if column.get("description")
        }
        for node in manifest.get("nodes", {}).values():
            if node.get("resource_type") == "model" and source["unique_id"] in node.get("depends_on", {}).get(
                "nodes", []
            ):
                for name, column in node.get("columns", {}).items():
                    if column.get("description"):
                        columns.setdefault(name, plain_text(column["description"]))
        found[f"audit.{source['name']}"] = (plain_text(source.get("description")) or None, columns)
    return found


def _comment_statements(database: str, relation: str, comments, existing: set[str]) -> list[str]:
    """COMMENT ON statements for one copied relation (columns it does not have are skipped)."""
    table_comment, column_comments = comments
    schema, name = relation.split(".", 1)
    qualified = f"{database}.{_ident(schema)}.{_ident(name)}"
    statements = [f"comment on table {qualified} is {_quote(table_comment)}"] if table_comment else []
    statements += [
        f"comment on column {qualified}.{_ident(column)} is {_quote(comment)}"
        for column, comment in column_comments.items()
        if column in existing and comment
    ]
    return statements


def publish_analytics(
    con: duckdb.DuckDBPyConnection, target: Path, audit_comments: Comments | None = None
) -> dict:
    """Copy the published schemas from the open warehouse `con` into `target`, atomically.

    `audit_comments` describes the audit copies of raw tables where the warehouse has no comment
    on them (see `source_comments`).
    """
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
    comments = warehouse_comments(con, PUBLISHED_SCHEMAS)
    raw_comments = warehouse_comments(con, ("raw",))
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
                "where table_catalog = current_database() and table_schema = 'raw' and table_name = ?",
                [name],
            ).fetchone()[0]
            if exists:
                con.execute(f'create table analytics_publish."audit"."{name}" as select * from raw."{name}"')
                described = (audit_comments or {}).get(f"audit.{name}", (None, {}))
                own_table, own_columns = raw_comments.get(f"raw.{name}", (None, {}))
                comments[f"audit.{name}"] = (own_table or described[0], {**described[1], **own_columns})
        copied: dict[str, set[str]] = {}
        for schema, name, column in con.execute(
            "select schema_name, table_name, column_name from duckdb_columns() "
            "where database_name = 'analytics_publish'"
        ).fetchall():
            copied.setdefault(f"{schema}.{name}", set()).add(column)
        statements = [
            statement
            for relation, columns in copied.items()
            if relation in comments
            for statement in _comment_statements("analytics_publish", relation, comments[relation], columns)
        ]
        if statements:
            con.execute(";\n".join(statements))
        con.execute("checkpoint analytics_publish")
    finally:
        con.execute("detach analytics_publish")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    return {"tables": len(objects), "rows": rows, "path": str(target)}
