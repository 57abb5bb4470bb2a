"""`salespulse sql`: an SQL shell on analytics.duckdb, the analysts' read-only copy of the marts.

Reading the published copy never blocks the pipeline, and the pipeline never blocks a reader.
Statements end with `;`. `.tables` lists the tables, `.quit` leaves.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

PROMPT, MORE = "salespulse> ", "       ...> "


def _run(con: duckdb.DuckDBPyConnection, statement: str, out) -> None:
    try:
        relation = con.sql(statement)
    except duckdb.Error as exc:
        print(f"error: {exc}", file=out)
        return
    if relation is not None:
        print(relation, file=out)


def shell(path: Path, command: str | None = None, stdin=None, out=None) -> int:
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    if not Path(path).exists():
        print(f"{path} does not exist yet: run `make demo` (or let the pipeline build once)", file=sys.stderr)
        return 1
    con = duckdb.connect(str(path), read_only=True)
    if command:
        _run(con, command, out)
        return 0
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
            _run(con, "select table_schema, table_name from information_schema.tables order by 1, 2", out)
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            _run(con, "\n".join(buffer), out)
            buffer = []
    if buffer and "".join(buffer).strip():
        _run(con, "\n".join(buffer), out)
    con.close()
    return 0
