"""Check one export against its contract without loading anything (`salespulse validate FILE`).

The result is a profile of how the file would be read, so that a wrong reading shows before
anything is loaded: which header feeds which column and why, rows and distinct keys, the
range of every date column and the sum of every amount column, and each row problem.

The file is read the way ingest reads it: in a reader process, under the same limits (file
size, columns, cell size, sheet cells, memory, time), so a file ingest would quarantine for a
limit is refused here with the same reason. Whatever goes wrong ends as `fatal`, never as a
traceback.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from salespulse.config import Settings
from salespulse.contracts import DATE_TYPES, NUMERIC_TYPES, Contract
from salespulse.ingest.coerce import create_typed_table, ident, install_macros
from salespulse.ingest.dates import day_month_orders
from salespulse.ingest.isolate import ReaderPool
from salespulse.ingest.loader import file_date_of, with_lineage
from salespulse.ingest.read import (
    ReadLimits,
    folders_under,
    kind_from_folder,
    map_headers,
)


@dataclass
class Validation:
    file: str
    kind: str | None = None
    kind_source: str | None = None
    encoding: str | None = None
    header_mapping: dict[str, str] = field(default_factory=dict)
    columns: list[dict] = field(default_factory=list)  # column, header, source
    unknown_columns: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    date_orders: dict[str, str] = field(default_factory=dict)
    rows_in_file: int = 0
    rows_ok: int = 0
    rows_rejected: int = 0
    distinct_keys: int | None = None
    dates: dict[str, dict] = field(default_factory=dict)  # column → min, max, outside_bounds, bounds
    amounts: dict[str, dict] = field(default_factory=dict)  # column → sum, rows
    problems: list[dict] = field(default_factory=list)
    fatal: str | None = None

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.problems

    def as_dict(self) -> dict:
        return {**self.__dict__, "ok": self.ok}


def validate_file(
    path: Path, settings: Settings, contracts: dict[str, Contract], kind: str | None = None
) -> Validation:
    path = Path(path)
    result = Validation(file=str(path))
    limits = ReadLimits.from_settings(settings)
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            result.fatal = (
                f"not a regular file ({'a directory' if stat.S_ISDIR(st.st_mode) else 'a pipe or device'})"
            )
            return result
        result.fatal = limits.file_size_problem(st.st_size)
        if result.fatal:
            return result
    except OSError as exc:
        result.fatal = f"cannot read the file: {exc.strerror or exc}"
        return result
    if kind is None:
        kind = kind_from_folder(folders_under(path, settings.landing_dir), contracts)
        result.kind_source = "folder" if kind else None
    else:
        result.kind_source = "option"
    with ReaderPool(contracts, limits, workers=1) as readers:
        outcome = readers.read(path.name, path.resolve(), kind)
    if outcome.raw is None:
        result.fatal = outcome.unreadable or outcome.problem or outcome.internal or outcome.changed
        return result
    try:
        _check(path, settings, contracts, kind, outcome.kind, outcome.raw, result)
    except Exception as exc:  # a checker bug: said plainly, never as a traceback
        result.fatal = f"internal error while checking the file: {type(exc).__name__}: {exc}"
    return result


def _check(path, settings, contracts, kind, detected, raw, result: Validation) -> None:
    if kind is None:
        result.kind_source = "headers"
    kind = detected
    result.kind, result.encoding = kind, raw.encoding
    contract = contracts[kind]
    headers = map_headers(raw.headers, contract)
    result.header_mapping = {
        raw.headers[p]: name for p, name in headers.mapping.items()
    }  # header → column, kept for scripts
    result.columns = headers.sources(contract, raw.headers)
    result.unknown_columns = list(headers.extra.values())
    result.missing_required = headers.missing_required
    result.rows_in_file = raw.rows_in_file
    result.fatal = headers.problem(contract)
    if result.fatal:
        return
    orders = day_month_orders(
        raw.table, {c.name: headers.position(c.name) for c in contract.columns}, contract
    )
    result.date_orders = dict(orders.orders)
    if orders.problem:
        result.fatal = orders.problem
        return
    file_date = file_date_of(path.name, path.stat().st_mtime, settings.tz)
    table = with_lineage(raw.table, 0, file_date, settings.as_of)
    con = duckdb.connect()
    install_macros(con)
    con.register("input_rows", table)
    create_typed_table(con, "typed", contract, headers, settings.timezone, settings.as_of, orders)
    rows = con.execute(
        "select _row_number, unnest(_reasons) from typed where len(_reasons) > 0 order by 1"
    ).fetchall()
    bad_rows = {number for number, _ in rows}
    for number, reason in rows:
        column = reason.split(":", 1)[0] if ":" in reason and " " not in reason.split(":", 1)[0] else None
        result.problems.append({"row": number, "column": column, "problem": reason})
    for number, text, reason in raw.bad_rows:
        bad_rows.add(number)
        result.problems.append({"row": number, "column": None, "problem": f"{reason}: {text[:80]}"})
    result.problems.sort(key=lambda problem: problem["row"])
    result.rows_rejected = len(bad_rows)
    result.rows_ok = result.rows_in_file - result.rows_rejected
    _profile(con, contract, result, settings)


def _profile(con: duckdb.DuckDBPyConnection, contract: Contract, result: Validation, settings) -> None:
    good = "from typed where len(_reasons) = 0"
    keys = ", ".join(ident(key) for key in contract.keys)
    result.distinct_keys = con.execute(f"select count(distinct ({keys})) {good}").fetchone()[0]
    for column in contract.columns:
        name = ident(column.name)
        if column.type in DATE_TYPES:
            low, high = column.date_bounds(settings.as_of)
            first, last = con.execute(f"select min({name}), max({name}) {good}").fetchone()
            outside = con.execute(
                f"select count(*) from typed where cast({name} as date) not between ? and ?", [low, high]
            ).fetchone()[0]
            if first is not None or outside:
                result.dates[column.name] = {
                    "min": str(first) if first is not None else None,
                    "max": str(last) if last is not None else None,
                    "outside_bounds": outside,
                    "bounds": [str(low), str(high)],
                }
        elif column.type in NUMERIC_TYPES and column.type != "percent" and not column.allowed:
            total, count = con.execute(f"select sum({name}), count({name}) {good}").fetchone()
            if count:
                result.amounts[column.name] = {"sum": str(total), "rows": count}
