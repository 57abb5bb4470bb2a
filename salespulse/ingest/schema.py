"""DDL of the raw schema, derived from the contracts.

`raw.<kind>` holds the canonical columns typed by contract, then lineage columns;
`raw.<kind>__rejects` holds every rejected row with its original text and the reasons;
`raw.ingested_files` is the registry of every file that ever landed.
Timestamps are naive and in the business timezone.
"""

from __future__ import annotations

from datetime import date

import duckdb

from salespulse.contracts import Contract

SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "decimal": "DECIMAL(18, 4)",  # amounts at the source's precision (SPEC §6)
    "number": "DOUBLE",
    "percent": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}

LINEAGE_COLUMNS = (
    ("_extra", "JSON"),
    ("_file_id", "BIGINT NOT NULL"),
    ("_row_number", "BIGINT NOT NULL"),
    ("_loaded_at", "TIMESTAMP NOT NULL"),
)

REGISTRY_DDL = """
create table if not exists raw.ingested_files (
    file_id bigint primary key,
    file_name varchar not null,
    sha256 varchar not null,
    size_bytes bigint not null,
    kind varchar,
    landed_at timestamp not null,
    status varchar not null,
    rows_in_file bigint,
    rows_loaded bigint not null default 0,
    rows_rejected bigint not null default 0,
    error varchar,
    warnings varchar,
    encoding varchar,
    archive_path varchar,
    duplicate_of bigint,
    file_date date,
    superseded_by bigint,
    landing_mtime_ns bigint
)
"""

# Columns added to the registry after its first release, for data homes created before.
REGISTRY_ADDED = (("file_date", "DATE"), ("superseded_by", "BIGINT"), ("landing_mtime_ns", "BIGINT"))

CALENDAR_DDL = """
create table if not exists raw.work_calendar (
    date_day date primary key,
    is_workday boolean not null,
    day_kind varchar not null
)
"""


def raw_table_ddl(contract: Contract) -> str:
    columns = [f'"{c.name}" {SQL_TYPES[c.type]}' for c in contract.columns]
    columns += [f"{name} {sql_type}" for name, sql_type in LINEAGE_COLUMNS]
    return f"create table if not exists raw.{contract.kind} (\n    " + ",\n    ".join(columns) + "\n)"


def rejects_table_ddl(contract: Contract) -> str:
    columns = [f'"{c.name}" VARCHAR' for c in contract.columns]
    columns += [
        "_extra JSON",
        "_reasons VARCHAR NOT NULL",
        "_file_id BIGINT NOT NULL",
        "_row_number BIGINT NOT NULL",
        "_loaded_at TIMESTAMP NOT NULL",
    ]
    return (
        f"create table if not exists raw.{contract.kind}__rejects (\n    " + ",\n    ".join(columns) + "\n)"
    )


def _existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'raw' and table_name = ?",
        [table],
    ).fetchall()
    return {name: data_type for name, data_type in rows}


def _evolve(con: duckdb.DuckDBPyConnection, table: str, wanted: list[tuple[str, str]]) -> list[str]:
    """Bring an existing raw table to the contract: add the columns it lacks (NULL in earlier
    rows) and widen the ones whose type changed. Returns what was done, for the log."""
    existing = _existing_columns(con, table)
    done = []
    for name, sql_type in wanted:
        column = '"' + name.replace('"', '""') + '"'
        if name not in existing:
            con.execute(f"alter table raw.{table} add column {column} {sql_type}")
            done.append(f"raw.{table}: added column {name} {sql_type}")
        elif existing[name].replace(" ", "") != sql_type.replace(" ", "").upper():
            con.execute(f"alter table raw.{table} alter column {column} type {sql_type}")
            done.append(f"raw.{table}: column {name} {existing[name]} -> {sql_type}")
    return done


def create_raw_schema(con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract]) -> list[str]:
    """Create the raw schema, or bring an existing one up to today's contracts: a contract
    that gained a column (an override, say) gains it in its raw and rejects tables."""
    con.execute("create schema if not exists raw")
    con.execute(REGISTRY_DDL)
    con.execute(CALENDAR_DDL)
    changes = _evolve(con, "ingested_files", list(REGISTRY_ADDED))
    for contract in contracts.values():
        con.execute(raw_table_ddl(contract))
        con.execute(rejects_table_ddl(contract))
        changes += _evolve(con, contract.kind, [(c.name, SQL_TYPES[c.type]) for c in contract.columns])
        changes += _evolve(con, f"{contract.kind}__rejects", [(c.name, "VARCHAR") for c in contract.columns])
    return changes


def business_date_range(
    con: duckdb.DuckDBPyConnection, contracts: dict[str, Contract]
) -> tuple[date | None, date | None]:
    """First and last of the contracts' `business_dates` in the raw tables (None when empty)."""
    parts = [
        f'select min(cast("{name}" as date)) as low, max(cast("{name}" as date)) as high from raw.{kind}'
        for kind, contract in contracts.items()
        for name in contract.business_dates
    ]
    if not parts:
        return None, None
    return con.execute(f"select min(low), max(high) from ({' union all '.join(parts)})").fetchone()
