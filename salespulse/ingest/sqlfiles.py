"""The ingest's SQL, kept in `sql/*.sql` (linted by sqlfluff in `make lint`).

A file is either plain SQL with bound parameters (`$name`), or a template whose `{slot}`s Python
fills with identifiers quoted by `ident` (a table, a list of columns) or with an expression
generated per contract column (`coerce`). Every slot must be filled: a missing or unknown one
is an error, never an empty string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

SQL_DIR = Path(__file__).with_name("sql")
_SLOT = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


@cache
def sql_text(name: str) -> str:
    """sql/<name>.sql as it is."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def idents(names: Iterable[str]) -> str:
    """`"a", "b"`: a list of quoted identifiers."""
    return ", ".join(ident(name) for name in names)


def literal(path: Path) -> str:
    """A path as a quoted SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def render(name: str, **slots: str) -> str:
    """sql/<name>.sql with its `{slot}`s filled."""
    text = sql_text(name)
    wanted = set(_SLOT.findall(text))
    if wanted != slots.keys():
        raise ValueError(
            f"{name}.sql: slots {sorted(wanted)}, given {sorted(slots)}"
            + (f" (missing {sorted(wanted - slots.keys())})" if wanted - slots.keys() else "")
        )
    return _SLOT.sub(lambda match: slots[match.group(1)], text)
