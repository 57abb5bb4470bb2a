"""Helpers for tests that build the dbt project on hand-made raw rows in a temporary DuckDB."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
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


def run_dbt(
    tmp: Path,
    db_path: Path,
    dbt_vars: dict,
    args: tuple[str, ...],
    project_dir: Path = ROOT / "dbt_project",
    dbt: Path = DBT,
    profiles_dir: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """`dbt ARGS` of the project (or a copy of it) on `db_path`, its target and logs kept under
    `tmp`; `dbt` is another environment's dbt (the spark target's); `profiles_dir` another
    folder's profiles.yml (default the project's); `env` more variables for dbt."""
    return subprocess.run(
        [
            str(dbt),
            *args,
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(profiles_dir or project_dir),
            "--target-path",
            str(tmp / "target"),
            "--log-path",
            str(tmp / "logs"),
            "--vars",
            json.dumps(dbt_vars),
        ],
        cwd=ROOT,
        env={**os.environ, "SALESPULSE_WAREHOUSE": str(db_path), **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )


def dbt_build(
    tmp: Path,
    db_path: Path,
    dbt_vars: dict,
    args: tuple[str, ...] = ("build",),
    project_dir: Path = ROOT / "dbt_project",
) -> None:
    """`dbt build` (or `args`) of the project into `db_path`; fails the test when dbt fails."""
    result = run_dbt(tmp, db_path, dbt_vars, args, project_dir)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


def write_calendar(con: duckdb.DuckDBPyConnection, start: date, end: date) -> None:
    """raw.work_calendar from START to END with the default (China) calendar, as the pipeline's
    calendar asset writes it."""
    import warnings

    import pandas as pd

    from salespulse.calendar import WorkCalendar

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # years without holiday data: Monday-Friday, as the asset says
        rows = WorkCalendar().days(start, end)
    frame = pd.DataFrame(rows, columns=["date_day", "is_workday", "day_kind"])
    con.execute(
        "create or replace table raw.work_calendar (date_day date, is_workday boolean, day_kind varchar)"
    )
    con.register("calendar_days", frame)
    con.execute("insert into raw.work_calendar select * from calendar_days")
    con.unregister("calendar_days")


def write_work_calendar(con: duckdb.DuckDBPyConnection, contracts: dict, as_of: date) -> None:
    """raw.work_calendar for the years of the loaded data (the pipeline's calendar asset)."""
    from salespulse.ingest.schema import business_date_range

    first, last = business_date_range(con, contracts)
    write_calendar(con, date(first.year - 1, 1, 1), date(max(last.year, as_of.year) + 1, 12, 31))


def data_home_settings(patch, home: Path, as_of: date | None = None):
    """The settings of data home `home` (as of `as_of`, when given), set in the environment
    through `patch` (a pytest MonkeyPatch: undone with it), with the shipped contracts and the
    default warehouse."""
    from salespulse.config import get_settings

    patch.setenv("SALESPULSE_HOME", str(home))
    if as_of is not None:
        patch.setenv("SALESPULSE_AS_OF", as_of.isoformat())
    patch.delenv("SALESPULSE_WAREHOUSE", raising=False)
    patch.delenv("SALESPULSE_CONTRACT_OVERRIDES", raising=False)
    get_settings.cache_clear()
    settings = get_settings()
    settings.ensure_dirs()
    return settings


def build_generated_org(
    tmp: Path,
    *,
    seed: int,
    as_of,
    reps: int,
    months: int,
    style: str = "standard",
    overrides: Path | None = None,
    dbt_args: tuple[str, ...] = ("build", "--exclude-resource-type", "unit_test"),
    project_dir: Path = ROOT / "dbt_project",
) -> Path:
    """Generate an organisation in `style`, ingest it under the shipped contracts (plus
    `overrides`), write the work calendar the data needs and run dbt; returns the warehouse."""
    import pytest

    from salespulse.config import get_settings
    from salespulse.contracts import load_contracts
    from salespulse.generate import generate_org
    from salespulse.ingest.loader import Ingestor

    home = tmp / "home"
    with pytest.MonkeyPatch.context() as patch:
        settings = data_home_settings(patch, home, as_of)
        generate_org(home, seed=seed, as_of=as_of, reps=reps, months=months, style=style)
        contracts = load_contracts(ROOT / "models", overrides)
        with duckdb.connect(str(settings.warehouse_path)) as con:
            report = Ingestor(con, settings, contracts).run()
            truth = json.loads((home / "ground_truth.json").read_text(encoding="utf-8"))
            planted = {
                Path(item["file"]).relative_to("landing").as_posix() for item in truth["malformed_files"]
            }
            bad = [r for r in report.files if r.status not in ("loaded", "partially_loaded")]
            assert {r.file_name for r in bad} == planted, [(r.file_name, r.status, r.error) for r in bad]
            write_work_calendar(con, contracts, as_of)
        get_settings.cache_clear()
    dbt_build(tmp, settings.warehouse_path, {"as_of_date": as_of.isoformat()}, dbt_args, project_dir)
    return settings.warehouse_path


def split_generated_org(tmp: Path, monkeypatch, as_of: date):
    """A generated organisation (seed 11, 6 reps, 3 months) landed in a data home under `tmp`
    (set in the environment) but for its last day's exports, which are kept in `tmp/increment`;
    returns (settings, contracts, the increment folder)."""
    from benchmarks.increment import split_last_day
    from salespulse.contracts import load_contracts
    from salespulse.generate import generate_org

    generated = tmp / "generated"
    generate_org(generated, seed=11, as_of=as_of, reps=6, months=3)
    settings = data_home_settings(monkeypatch, tmp / "home", as_of)
    contracts = load_contracts(ROOT / "models")
    increment = tmp / "increment"
    split_last_day(generated / "landing", settings.landing_dir, increment, as_of, contracts)
    return settings, contracts, increment
