"""Helpers for tests that build the dbt project on hand-made raw rows in a temporary DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DBT = Path(sys.executable).parent / "dbt"


def insert_rows(
    con: duckdb.DuckDBPyConnection, kind: str, file_id: int, rows: list[dict], loaded_at: datetime
) -> None:
    """Rows into raw.<kind> as one landed file would put them there, with lineage columns."""
    for row_number, row in enumerate(rows, start=1):
        columns = [*row, "_file_id", "_row_number", "_loaded_at"]
        values = [*row.values(), file_id, row_number, loaded_at]
        placeholders = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        con.execute(f"insert into raw.{kind} ({names}) values ({placeholders})", values)


def dbt_build(tmp: Path, db_path: Path, dbt_vars: dict) -> None:
    """`dbt build` of the project into `db_path`, its target and logs kept under `tmp`."""
    result = subprocess.run(
        [
            str(DBT),
            "build",
            "--project-dir",
            str(ROOT / "dbt_project"),
            "--profiles-dir",
            str(ROOT / "dbt_project"),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--vars",
            json.dumps(dbt_vars),
        ],
        cwd=ROOT,
        env={**os.environ, "SALESPULSE_WAREHOUSE": str(db_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
