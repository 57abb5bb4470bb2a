"""Typing and row rules for one file, as one vectorised DuckDB query.

The input is a table of strings (`c0..cN`, `_file_id`, `_row_number`: one or several files
read with the same header mapping); the output is the same rows with
typed canonical columns, the original text of each, and the list of reasons a row is
rejected (empty when it is good). The query is `sql/coerce_rows.sql`; what it types and checks
is generated per contract column (one typed expression and a few rule conditions each, calling
the macros of `sql/macros.sql`). Identifiers are quoted, and values coming from contracts are
quoted as SQL literals, never interpolated raw: they stay constants of the query, which DuckDB
needs for regular expressions and `strptime` formats.
"""

from __future__ import annotations

from datetime import date

import duckdb

from salespulse.contracts import Column, Contract
from salespulse.ingest.dates import DateOrders
from salespulse.ingest.read import HeaderMapping
from salespulse.ingest.schema import SQL_TYPES
from salespulse.ingest.sqlfiles import ident, idents, render, sql_text

__all__ = ["build_query", "create_typed_table", "ident", "install_macros", "lit"]


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql_text("macros"))


def lit(value) -> str:
    """A SQL string literal."""
    return "'" + str(value).replace("'", "''") + "'"


def _typed_expr(column: Column, src: str, timezone: str, order: str | None, comma: bool) -> str:
    if column.allowed:
        cases = " ".join(
            f"when {lit(raw)} then {lit(canonical)}" for raw, canonical in column.value_map().items()
        )
        return f"(case lower({src}) {cases} end)"
    number = f"sp_number_comma({src})" if comma else f"sp_number({src})"
    suffix = "_comma" if comma else ""
    formats = "[" + ", ".join(lit(fmt) for fmt in column.formats) + "]"
    match column.type:
        case "string":
            return src
        case "integer":
            return f"sp_integer_text{suffix}({src})"
        case "decimal":
            return f"sp_decimal_text{suffix}({src})"
        case "number":
            return f"cast({number} as double)"
        case "percent":
            return f"sp_percent({src})"
        case "date":
            if column.formats:
                return f"sp_date_formats({src}, {formats})"
            return f"sp_date_{order}({src})" if order else f"sp_date({src})"
        case "timestamp":
            if column.formats:
                return f"sp_timestamp_formats({src}, {formats})"
            if order:
                return f"sp_timestamp_{order}_tz({src}, {lit(timezone)})"
            return f"sp_timestamp({src}, {lit(timezone)})"
        case "boolean":
            return f"sp_boolean({src})"
    raise ValueError(f"unknown column type {column.type}")


def _message(column: str, value_sql: str, text: str) -> str:
    """SQL for `<column>: '<value>' <text>`."""
    return f"{lit(column + ': ' + chr(39))} || {value_sql} || {lit(chr(39) + ' ' + text)}"


def _rules(column: Column, src: str, typed: str, as_of: date) -> list[tuple[str, str]]:
    """(condition, message) pairs in SQL: the row is rejected when a condition holds."""
    name = column.name
    rules = []
    if column.required:
        rules.append((f"{src} is null", lit(name + ": required value is empty")))
    if column.allowed:
        allowed = ", ".join(column.allowed)
        rules.append(
            (
                f"{src} is not null and {typed} is null",
                _message(name, src, f"is not an allowed value ({allowed})"),
            )
        )
    elif column.type == "decimal":
        rules.append(
            (
                f"{src} is not null and {typed} is null",
                _message(
                    name, src, "cannot be read as decimal, or has more than 4 decimal places (kept exactly)"
                ),
            )
        )
    elif column.type in ("date", "timestamp") and column.formats:
        rules.append(
            (
                f"{src} is not null and {typed} is null",
                _message(name, src, f"does not match the formats {list(column.formats)}"),
            )
        )
    elif column.type != "string":
        rules.append(
            (
                f"{src} is not null and {typed} is null",
                _message(name, src, f"cannot be read as {column.type}"),
            )
        )
    bounds = column.date_bounds(as_of)
    if bounds is not None:
        low, high = bounds
        day = f"cast({typed} as date)"
        hint = "the contract's min; if the year is wrong, set formats:"
        rules.append(
            (f"{day} < {lit(low.isoformat())}::date", _message(name, src, f"is before {low} ({hint})"))
        )
        rules.append(
            (
                f"{day} > {lit(high.isoformat())}::date",
                _message(
                    name, src, f"is after {high} (the contract's max, as-of date {as_of} + 1 year by default)"
                ),
            )
        )
    elif column.min is not None:
        rules.append(
            (f"{typed} < {column.min!r}", _message(name, typed, f"is below the minimum {column.min:g}"))
        )
    if bounds is None and column.max is not None:
        rules.append(
            (f"{typed} > {column.max!r}", _message(name, typed, f"is above the maximum {column.max:g}"))
        )
    if column.pattern is not None:
        rules.append(
            (
                f"{src} is not null and not regexp_full_match({src}, {lit(column.pattern)})",
                _message(
                    name,
                    src,
                    f"is not {column.description} (pattern {column.pattern})"
                    if column.description
                    else f"does not match {column.pattern}",
                ),
            )
        )
    return rules


def _reasons_sql(rules: list[tuple[str, str]]) -> str:
    """Messages are built only for rows that break a rule: most rows pay for the conditions only."""
    if not rules:
        return "[]::varchar[]"
    any_broken = " or ".join(f"coalesce({condition}, false)" for condition, _ in rules)
    messages = ", ".join(f"case when {condition} then {message} end" for condition, message in rules)
    keep = "lambda r: r is not null"
    return f"case when {any_broken} then list_filter([{messages}], {keep}) else []::varchar[] end"


def _default_sql(column: Column) -> str:
    if column.default == "$file_date":
        return "_file_date"
    if column.default == "$landed_date":
        return "_landed_date"
    value = column.default
    return lit(value.isoformat() if hasattr(value, "isoformat") else value)


def build_query(
    contract: Contract,
    headers: HeaderMapping,
    timezone: str,
    as_of: date,
    date_orders: DateOrders | None = None,
    source: str = "input_rows",
) -> str:
    """SELECT producing, per input row: `_file_id`, `_row_number`, the typed columns, `_extra`,
    `_reasons`. Duplicates are looked for within each file only.

    The input has the file's text columns `c0..cN` and, per row, `_file_id`, `_row_number`,
    `_file_date` and `_landed_date` (ISO text, for `$file_date`/`$landed_date` defaults). The
    original text of a rejected row is taken from the source by (`_file_id`, `_row_number`)."""
    comma = contract.decimal_separator == ","
    text_cols, value_cols, typed_cols, rules = [], [], [], []
    for column in contract.columns:
        position = headers.position(column.name)
        raw = f"c{position}" if position is not None else "cast(null as varchar)"
        if column.default is not None:
            raw = f"coalesce(nullif(trim({raw}), ''), {_default_sql(column)})"
        text, value = ident(column.name + "__text"), ident(column.name + "__value")
        typed = ident(column.name)
        order = date_orders.get(column.name) if date_orders else None
        text_cols.append(f"{raw} as {text}")
        # The trimmed text (null when empty) is computed once and read by the typing and the rules.
        value_cols.append(f"sp_text({text}) as {value}")
        typing = _typed_expr(column, value, timezone, order, comma)
        typed_cols.append(f"cast({typing} as {SQL_TYPES[column.type]}) as {typed}")
        rules.extend(_rules(column, f"typed.{value}", f"typed.{typed}", as_of))
    mapping, extra = headers.mapping, headers.extra
    for group in contract.require_one_of:
        condition = " and ".join(f"typed.{ident(name)} is null" for name in group)
        rules.append((condition, lit("one of " + ", ".join(group) + " is required")))
    if extra and contract.extra_columns == "keep":
        pairs = ", ".join(f"{lit(header)}, c{position}" for position, header in extra.items())
        extra_expr = f"json_object({pairs})"
    else:
        extra_expr = "cast(null as json)"
    return render(
        "coerce_rows",
        source=ident(source),
        text_columns=", ".join(text_cols),
        value_columns=", ".join(value_cols),
        typed_columns=", ".join(typed_cols),
        extra=extra_expr,
        all_text=", ".join(f"c{position}" for position in sorted({*mapping, *extra})) or "1",
        reasons=_reasons_sql(rules),
        helper_names=idents(
            name + suffix for name in contract.column_names for suffix in ("__text", "__value")
        ),
    )


def create_typed_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    contract: Contract,
    headers: HeaderMapping,
    timezone: str,
    as_of: date,
    date_orders: DateOrders | None = None,
    source: str = "input_rows",
) -> None:
    """Type and check the rows of `source` into the temp table `name` (`build_query`), then
    reject the good rows that repeat an earlier good row's key in their file, unless the
    contract allows repeated keys."""
    query = build_query(contract, headers, timezone, as_of, date_orders, source)
    con.execute(f"create or replace temp table {ident(name)} as {query}")
    if contract.allow_duplicate_keys:
        return
    key_label = (
        "concat_ws(', ', "
        + ", ".join(f"{lit(key + '=')} || cast({ident(key)} as varchar)" for key in contract.keys)
        + ")"
    )
    con.execute(
        render(
            "mark_duplicate_keys",
            typed=ident(name),
            keys=idents(contract.keys),
            same_keys=", ".join(f"same_key.{ident(key)}" for key in contract.keys),
            key_label=key_label,
        )
    )
