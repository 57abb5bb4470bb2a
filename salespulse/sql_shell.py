"""`salespulse sql`: an SQL shell on analytics.duckdb, the analysts' read-only copy of the marts.

Reading the published copy never blocks the pipeline, and the pipeline never blocks a reader.
Statements end with `;`. `.tables` lists the tables, `.quit` leaves. `--csv` prints results as
CSV (every row) for scripts; the exit status is 1 when a statement failed.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import duckdb

PROMPT, MORE = "salespulse> ", "       ...> "
TABLES = "select table_schema, table_name from information_schema.tables order by 1, 2"


def _run(con: duckdb.DuckDBPyConnection, text: str, out, as_csv: bool, max_rows: int) -> bool:
    """Run every statement in `text` (several may share a line), printing each result."""
    try:
        statements = [statement.query for statement in con.extract_statements(text)]
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr if as_csv else out)
        return False
    ok = True
    for statement in statements:
        ok &= _run_one(con, statement, out, as_csv, max_rows)
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
    except duckdb.Error as exc:
        print(f"error: {exc}", file=sys.stderr if as_csv else out)
        return False
    if relation is None:
        return True
    rows = relation.count("*").fetchall()[0][0] if max_rows else 0
    print(relation.limit(max_rows) if max_rows else relation, file=out)
    if max_rows and rows > max_rows:
        print(f"({rows:,} rows, first {max_rows:,} shown; use --csv or LIMIT)", file=out)
    return True


def shell(
    path: Path,
    command: str | None = None,
    stdin=None,
    out=None,
    as_csv: bool = False,
    max_rows: int = 0,
) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if not Path(path).exists():
        print(f"{path} does not exist yet: run `make demo` (or let the pipeline build once)", file=sys.stderr)
        return 1
    con = duckdb.connect(str(path), read_only=True)
    ok = True
    if command:
        ok = _run(con, command, out, as_csv, max_rows)
        con.close()
        return 0 if ok else 1
    interactive = stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())

        print(f"analytics: {path}  (read-only; statements end with ';', .tables, .quit)", file=out)
    buffer: list[str] = []
    while True:
        try:
            line = input(MORE if buffer else PROMPT) if interactive else stdin.readline()
        except EOFError:
            break
        if not interactive and line == "":
            break
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            break
        if not buffer and stripped == ".tables":
            ok &= _run(con, TABLES, out, as_csv, max_rows)
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            ok &= _run(con, "\n".join(buffer), out, as_csv, max_rows)
            buffer = []
    if buffer and "".join(buffer).strip():
        ok &= _run(con, "\n".join(buffer), out, as_csv, max_rows)
    con.close()
    return 0 if ok else 1
