"""Split a generated org's exports into "history" and "the last day's exports".

The generator writes monthly report files and daily opportunity snapshots. For the daily
incremental run, the rows dated on the last day (daily reports, orders, payments, customers
created that day) are moved out of the monthly files into files of their own, together with
that day's opportunity snapshot: landing the second set after the first is what a day's exports
look like to the pipeline.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date
from pathlib import Path

import duckdb

from salespulse.contracts import Contract, normalize_header
from salespulse.ingest.read import decode

# kind → the column whose date says which day a row belongs to
DAY_COLUMNS = {
    "daily_reports": "report_date",
    "orders": "signed_date",
    "payments": "received_date",
    "customers": "created_at",
}


def _day(text: str) -> str:
    text = text.strip().split(" ")[0].replace("/", "-")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def split_last_day(
    landing: Path, base: Path, increment: Path, day: date, contracts: dict[str, Contract]
) -> dict:
    """Copy `landing` into `base` without `day`'s rows, and those rows into `increment`."""
    moved = {}
    for path in sorted(landing.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(landing)
        kind = relative.parts[0]
        target = base / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "opportunities" and day.isoformat() in path.name:
            (increment / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, increment / relative)
            moved[str(relative)] = "whole file"
            continue
        if kind not in DAY_COLUMNS or path.suffix.lower() != ".csv" or "broken" in path.name:
            shutil.copy2(path, target)
            continue
        data = path.read_bytes()
        text, encoding = decode(data)
        rows = list(csv.reader(io.StringIO(text)))
        lookup = contracts[kind].header_lookup()
        names = [lookup.get(normalize_header(h)) for h in rows[0]]
        column = names.index(DAY_COLUMNS[kind])
        keep = [rows[0]] + [r for r in rows[1:] if _day(r[column]) != day.isoformat()]
        today = [rows[0]] + [r for r in rows[1:] if _day(r[column]) == day.isoformat()]
        codec = "utf-8-sig" if encoding == "utf-8-sig" else ("gb18030" if encoding == "gb18030" else "utf-8")
        _write(target, keep, codec)
        if len(today) > 1:
            out = increment / kind / f"{kind}_{day.isoformat()}.csv"
            out.parent.mkdir(parents=True, exist_ok=True)
            _write(out, today, codec)
            moved[str(relative)] = len(today) - 1
    return moved


def _write(path: Path, rows: list[list[str]], encoding: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def differences(incremental: Path, rebuilt: Path) -> dict[str, tuple[int, int]]:
    """Every table and view of the warehouse `incremental` against the same relation in
    `rebuilt` (the same raw data built whole): {relation: (rows only in incremental, rows only
    in rebuilt)} for those that differ, as multisets; a relation missing from one side is
    reported as (-1, -1). Empty when the incremental builds left exactly what a rebuild does."""
    listing = """
        select schema_name || '.' || table_name from duckdb_tables()
        where database_name = ? and schema_name not in ('raw', 'dbt_state')
        union all
        select schema_name || '.' || view_name from duckdb_views()
        where database_name = ? and not internal
            and schema_name not in ('raw', 'dbt_state', 'information_schema', 'pg_catalog')
    """
    con = duckdb.connect(str(incremental), read_only=True)
    try:
        database = con.execute("select current_database()").fetchone()[0]
        con.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
        mine = {r[0] for r in con.execute(listing, [database, database]).fetchall()}
        theirs = {r[0] for r in con.execute(listing, ["rebuilt", "rebuilt"]).fetchall()}
        found = {relation: (-1, -1) for relation in mine ^ theirs}
        for relation in sorted(mine & theirs):
            a, b = f"select * from {database}.{relation}", f"select * from rebuilt.{relation}"
            only_mine = con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0]
            only_theirs = con.execute(f"select count(*) from ({b} except all {a})").fetchone()[0]
            if only_mine or only_theirs:
                found[relation] = (only_mine, only_theirs)
        return found
    finally:
        con.close()
