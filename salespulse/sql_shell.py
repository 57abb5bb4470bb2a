"""`salespulse sql`: an SQL shell on analytics.duckdb, the analysts' read-only copy of the marts.

Reading the published copy never blocks the pipeline, and the pipeline never blocks a reader.
Statements end with `;`. `.tables` lists every published table with what it holds,
`describe TABLE` (or `.describe TABLE`) what each of its columns means, `.quit` leaves. `--csv`
prints results as CSV (every row) for scripts; the exit status is 1 when a statement failed.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import sys
import textwrap
from pathlib import Path

import duckdb

PROMPT, MORE = "salespulse> ", "       ...> "
# Every table and view an analyst can query, with the first sentence of its description.
_FIRST_SENTENCE = """
    case
        when length(regexp_extract(coalesce(comment, ''), '^(.*?[.。])(\\s|$)', 1)) between 1 and 120
            then regexp_extract(coalesce(comment, ''), '^(.*?[.。])(\\s|$)', 1)
        when length(coalesce(comment, '')) > 120 then left(comment, 119) || '…'
        else coalesce(comment, '')
    end
"""
TABLES = f"""
select schema_name as "schema", table_name as "table", estimated_size as "rows",
    {_FIRST_SENTENCE} as "what it holds"
from duckdb_tables()
where database_name = current_database() and not internal and not temporary
union all
select schema_name, view_name, null, {_FIRST_SENTENCE}
from duckdb_views()
where database_name = current_database() and not internal and not temporary
order by 1, 2
"""
# `describe marts.kpi_rep_monthly` / `desc kpi_rep_monthly;` / `.describe kpi_rep_monthly`; any
# other DESCRIBE (of a query) is DuckDB's own.
DESCRIBE = re.compile(
    r"^\s*\.?(?:describe|desc)\s+((?:\"[^\"]+\"|\w+)(?:\.(?:\"[^\"]+\"|\w+))?)\s*;?\s*$", re.I
)
SEARCH_SCHEMAS = ("marts", "audit")


def _table_width(out) -> int | None:
    """The terminal's width for an interactive display; unlimited when piped (no column hidden)."""
    isatty = getattr(out, "isatty", None)
    if isatty and isatty():
        return shutil.get_terminal_size().columns
    return 100_000


def _render(relation: duckdb.DuckDBPyRelation, rows: int, out) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        relation.show(max_rows=max(rows, 1), max_width=_table_width(out))
    return buffer.getvalue().rstrip("\n")


def _resolve(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, str] | None:
    parts = [part.strip('"') for part in re.findall(r'"[^"]+"|[^.]+', name)]
    candidates = [tuple(parts)] if len(parts) == 2 else [(schema, parts[0]) for schema in SEARCH_SCHEMAS]
    for schema, table in candidates:
        found = con.execute(
            """
            select schema_name, table_name from duckdb_tables()
            where database_name = current_database() and schema_name = ? and table_name = ?
            union all
            select schema_name, view_name from duckdb_views()
            where database_name = current_database() and schema_name = ? and view_name = ?
            """,
            [schema, table, schema, table],
        ).fetchone()
        if found:
            return found
    return None


def describe(con: duckdb.DuckDBPyConnection, name: str, out, as_csv: bool = False) -> bool:
    """Print a table's description and, for each column, its type and what it means."""
    found = _resolve(con, name)
    if found is None:
        print(f"error: no table {name!r} (`.tables` lists them)", file=sys.stderr if as_csv else out)
        return False
    schema, table = found
    comment = con.execute(
        """
        select comment from duckdb_tables() where database_name = current_database()
            and schema_name = ? and table_name = ?
        union all
        select comment from duckdb_views() where database_name = current_database()
            and schema_name = ? and view_name = ?
        """,
        [schema, table, schema, table],
    ).fetchone()[0]
    columns = con.execute(
        """
        select column_name, data_type, coalesce(comment, '') from duckdb_columns()
        where database_name = current_database() and schema_name = ? and table_name = ?
        order by column_index
        """,
        [schema, table],
    ).fetchall()
    if as_csv:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["column_name", "data_type", "description"])
        writer.writerows(columns)
        return True
    width = max(60, min(_table_width(out) or 100, 120))
    print(f"{schema}.{table}", file=out)
    if comment:
        print(textwrap.fill(comment, width=width, initial_indent="  ", subsequent_indent="  "), file=out)
    name_width = max(len("column"), *(len(column) for column, _, _ in columns))
    type_width = max(len("type"), *(len(kind) for _, kind, _ in columns))
    indent = " " * (name_width + type_width + 4)
    print(f"\n{'column':<{name_width}}  {'type':<{type_width}}  description", file=out)
    for column, kind, text in columns:
        wrapped = textwrap.wrap(text, width=max(30, width - len(indent))) or [""]
        print(f"{column:<{name_width}}  {kind:<{type_width}}  {wrapped[0]}", file=out)
        for line in wrapped[1:]:
            print(indent + line, file=out)
    return True


def _run(con: duckdb.DuckDBPyConnection, text: str, out, as_csv: bool, max_rows: int) -> bool:
    """Run every statement in `text` (several may share a line), printing each result."""
    if text.strip().rstrip(";").strip() == ".tables":
        return _run(con, TABLES, out, as_csv, 0)
    match = DESCRIBE.match(text)
    if match:
        return describe(con, match.group(1), out, as_csv)
    try:
        statements = [statement.query for statement in con.extract_statements(text)]
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr if as_csv else out)
        return False
    ok = True
    for statement in statements:
        match = DESCRIBE.match(statement)
        ok &= (
            describe(con, match.group(1), out, as_csv)
            if match
            else _run_one(con, statement, out, as_csv, max_rows)
        )
    return ok


# Text a spreadsheet opening the CSV would run as a formula (`=HYPERLINK(…)`), neutralised with an
# apostrophe as in the briefs' XLSX (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _inert(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def _write_csv(cursor, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_inert(column[0]) for column in cursor.description])
    while batch := cursor.fetchmany(10_000):
        writer.writerows([_inert(value) for value in row] for row in batch)


def _run_one(con: duckdb.DuckDBPyConnection, statement: str, out, as_csv: bool, max_rows: int) -> bool:
    try:
        if as_csv:
            cursor = con.execute(statement)
            if cursor.description is None:
                return True
            _write_csv(cursor, out)
            return True
        relation = con.sql(statement)
        if relation is None:
            return True
        rows = relation.count("*").fetchall()[0][0]
        shown = min(rows, max_rows) if max_rows else rows
        text = _render(relation.limit(shown) if shown < rows else relation, shown, out)
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr if as_csv else out)
        return False
    print(text, file=out)
    if shown < rows:
        print(f"({rows:,} rows, first {shown:,} shown; use --csv, --max-rows 0 or LIMIT)", file=out)
    return True


def shell(
    path: Path,
    command: str | None = None,
    stdin=None,
    out=None,
    as_csv: bool = False,
    max_rows: int = 0,
) -> int:
    """Run `command`, or statements read from `stdin` (a prompt when it is a terminal).

    `max_rows` caps the rows shown per result in table mode (0: all of them).
    """
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if not Path(path).exists():
        print(f"{path} does not exist yet: run `make demo` (or let the pipeline build once)", file=sys.stderr)
        return 1
    con = duckdb.connect(str(path), read_only=True)
    try:
        if command:
            return 0 if _run(con, command, out, as_csv, max_rows) else 1
        return 0 if _loop(con, stdin, out, as_csv, max_rows, path) else 1
    finally:
        con.close()


def _loop(con: duckdb.DuckDBPyConnection, stdin, out, as_csv: bool, max_rows: int, path: Path) -> bool:
    interactive = stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())

        print(
            f"analytics: {path}  (read-only; statements end with ';', .tables, describe TABLE, .quit)",
            file=out,
        )
    ok = True
    buffer: list[str] = []
    while True:
        try:
            line = input(MORE if buffer else PROMPT) if interactive else stdin.readline()
        except EOFError:
            break
        except KeyboardInterrupt:
            print(file=out)
            buffer = []
            continue
        if not interactive and line == "":
            break
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            break
        if not buffer and (stripped == ".tables" or stripped.startswith(".describe")):
            ok &= _run(con, stripped, out, as_csv, max_rows)
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            ok &= _run(con, "\n".join(buffer), out, as_csv, max_rows)
            buffer = []
    if buffer and "".join(buffer).strip():
        ok &= _run(con, "\n".join(buffer), out, as_csv, max_rows)
    return ok
