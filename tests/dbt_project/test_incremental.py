"""Incremental models equal a full rebuild (issue #13, item 2).

An organisation's history is loaded and built; then a day's exports land together with a late
correction (an earlier opportunity snapshot exported again with one deal changed), and the build
runs incrementally: every table and view the warehouse holds must equal those of a full rebuild
(`--full-refresh`) of the same raw data. The KPI marts rebuild only the periods whose inputs
changed and keep the others as they were. Then an opportunities file is read again (reprocess),
which the incremental models answer by rebuilding whole: equal again.
"""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt_support import dbt_build, run_dbt, split_generated_org, write_work_calendar

from benchmarks.increment import differences
from salespulse.config import get_settings
from salespulse.ingest.loader import Ingestor
from salespulse.ingest.reprocess import reprocess_with

AS_OF = date(2026, 3, 31)
BUILD = ("build", "--exclude-resource-type", "unit_test")
INCREMENTAL = {"int_opportunity_snapshots_collapsed_to_intervals", "fct_opportunity_history"}


def _differences(incremental: Path, tmp: Path, as_of: date) -> dict[str, tuple[int, int]]:
    """Rebuild a copy of `incremental` whole and compare every relation (benchmarks.increment)."""
    tmp.mkdir(parents=True, exist_ok=True)
    full = tmp / "full.duckdb"
    shutil.copy(incremental, full)
    dbt_build(tmp / "full-dbt", full, {"as_of_date": as_of.isoformat()}, ("run", "--full-refresh"))
    with duckdb.connect(str(full), read_only=True) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert {"fct_opportunity_history", "kpi_rep_daily"} <= tables
    return differences(incremental, full)


def _watermarks(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        query = "select model_name, through_file_id from dbt_state.incremental_watermarks"
        return dict(con.execute(query).fetchall())


def _built_periods(warehouse: Path, model: str) -> dict[date, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        query = "select period_start, fingerprint from dbt_state.kpi_built_periods where model_name = ?"
        return dict(con.execute(query, [model]).fetchall())


BALANCES = ("intermediate.int_rep_balances_measured_on_days", "open_opportunities", "date_day")
REP_DAILY = ("marts.kpi_rep_daily", "calls", "period_start")


def _mark(con: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    """column → -1 - column on every row (the column is never negative): rows computed again
    lose the mark, and marking twice puts the true value back."""
    con.execute(f"update {table} set {column} = -1 - {column}")


def _kept_and_recomputed(
    con: duckdb.DuckDBPyConnection, table: str, column: str, day: str
) -> tuple[set[date], set[date]]:
    """The days whose rows still carry the mark and those whose rows lost it; the marks are undone."""
    days = f"select distinct {day} from {table} where {column} "
    kept = {r[0] for r in con.execute(days + "< 0").fetchall()}
    recomputed = {r[0] for r in con.execute(days + ">= 0").fetchall()}
    con.execute(f"update {table} set {column} = -1 - {column} where {column} < 0")
    return kept, recomputed


def _correct_one_deal(snapshot: Path, target: Path) -> str:
    """`snapshot` exported again as `target`, its first open deal with another amount."""
    text = snapshot.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    amount, opportunity = header.index("amount"), header.index("opportunity_id")
    row = rows[1]
    row[amount] = str(round(float(row[amount] or 0) + 12345.67, 2))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return row[opportunity]


@pytest.fixture
def org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    yield split_generated_org(tmp_path, monkeypatch, AS_OF)
    get_settings.cache_clear()


def _ingest(settings, contracts, as_of: date) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        report = Ingestor(con, settings, contracts).run()
        assert not [f for f in report.files if f.status == "quarantined" and "broken" not in f.file_name]
        write_work_calendar(con, contracts, as_of)


def test_incremental_build_equals_full_rebuild(org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    settings, contracts, increment = org
    warehouse = settings.warehouse_path
    day_before = AS_OF - timedelta(days=1)
    _ingest(settings, contracts, day_before)
    dbt_build(tmp_path / "dbt", warehouse, {"as_of_date": day_before.isoformat()}, BUILD)
    first = _watermarks(warehouse)
    assert set(first) == INCREMENTAL

    # The day's exports, and a snapshot from weeks ago exported again with one deal changed.
    shutil.copytree(increment, settings.landing_dir, dirs_exist_ok=True)
    snapshots = sorted((settings.archive_dir / "opportunities").rglob("*.csv"))
    corrected_id = _correct_one_deal(
        snapshots[len(snapshots) // 2], settings.landing_dir / "opportunities" / "opportunities_corrected.csv"
    )
    _ingest(settings, contracts, AS_OF)
    with duckdb.connect(str(warehouse)) as con:
        changed = con.execute(
            "select count(distinct opportunity_id) from raw.opportunities where _file_id > ?",
            [first["fct_opportunity_history"]],
        ).fetchone()[0]
        total = con.execute("select count(distinct opportunity_id) from raw.opportunities").fetchone()[0]
        before = con.execute(
            "select count(*) from marts.fct_opportunity_history where opportunity_id = ?", [corrected_id]
        ).fetchone()[0]
        # A canary on a deal no new file names: an increment keeps its rows as they are.
        untouched = con.execute(
            "select min(opportunity_id) from marts.fct_opportunity_history where opportunity_id not in "
            "(select opportunity_id from raw.opportunities where _file_id > ?)",
            [first["fct_opportunity_history"]],
        ).fetchone()[0]
        con.execute(
            "update marts.fct_opportunity_history set snapshot_count = -1 where opportunity_id = ?",
            [untouched],
        )
    assert 0 < changed < total  # the increment names some deals, not all
    # The daily balances first, on their own: every row marked, the days computed again lose
    # the mark (then the marks are undone, before the KPI marts' fingerprints read the balances).
    balance_days_before = _built_periods(warehouse, "int_rep_balances_measured_on_days")
    with duckdb.connect(str(warehouse)) as con:
        _mark(con, *BALANCES[:2])
        corrected_from = con.execute(
            "select min(snapshot_date) from raw.opportunities where opportunity_id = ? and _file_id > ?",
            [corrected_id, first["fct_opportunity_history"]],
        ).fetchone()[0]
    balances = ("run", "--select", "+int_rep_balances_measured_on_days")
    dbt_build(tmp_path / "dbt", warehouse, {"as_of_date": AS_OF.isoformat()}, balances)
    balance_days_after = _built_periods(warehouse, "int_rep_balances_measured_on_days")
    with duckdb.connect(str(warehouse)) as con:
        balance_days_kept, balance_days_recomputed = _kept_and_recomputed(con, *BALANCES)
    # Every row of the rep daily mart marked the same way.
    days_before = _built_periods(warehouse, "kpi_rep_daily")
    with duckdb.connect(str(warehouse)) as con:
        _mark(con, *REP_DAILY[:2])
    # Run, then test once the marks are undone (the days-to-weeks reconciliation would see them).
    dbt_build(tmp_path / "dbt", warehouse, {"as_of_date": AS_OF.isoformat()}, ("run",))
    days_after = _built_periods(warehouse, "kpi_rep_daily")
    assert _built_periods(warehouse, "int_rep_balances_measured_on_days") == balance_days_after
    with duckdb.connect(str(warehouse)) as con:
        kept, recomputed = _kept_and_recomputed(con, *REP_DAILY)
    dbt_build(tmp_path / "dbt", warehouse, {"as_of_date": AS_OF.isoformat()}, ("test", *BUILD[1:]))
    changed_days = {day for day, print_ in days_after.items() if days_before.get(day) != print_}
    # The new day and the day it closed were computed again, with every day whose inputs
    # changed; the days whose fingerprint stayed were kept, not recomputed.
    assert {AS_OF, day_before} <= changed_days
    assert recomputed == changed_days
    assert kept == set(days_after) - changed_days
    assert len(changed_days) < len(days_after) / 2
    # The daily balances the same way, by day: the new day and the days the corrected snapshot
    # touched were computed again; the others (those before the correction among them) were kept.
    changed_balance_days = {
        day for day, print_ in balance_days_after.items() if balance_days_before.get(day) != print_
    }
    with_rows = balance_days_kept | balance_days_recomputed  # (a day nothing is open on has none)
    assert {AS_OF, corrected_from} <= changed_balance_days
    assert balance_days_recomputed == changed_balance_days & with_rows
    assert balance_days_kept == with_rows - changed_balance_days
    assert min(balance_days_kept) < corrected_from
    assert len(changed_balance_days) < len(balance_days_after) / 2
    second = _watermarks(warehouse)
    assert all(second[m] > first[m] for m in INCREMENTAL)
    with duckdb.connect(str(warehouse)) as con:
        after = con.execute(
            "select count(*) from marts.fct_opportunity_history where opportunity_id = ?", [corrected_id]
        ).fetchone()[0]
        canary = con.execute(
            "select distinct snapshot_count from marts.fct_opportunity_history where opportunity_id = ?",
            [untouched],
        ).fetchall()
        # Put the true counts back (the intervals were not touched) before comparing with a rebuild.
        con.execute(
            """
            update marts.fct_opportunity_history as history set snapshot_count = intervals.snapshot_count
            from intermediate.int_opportunity_snapshots_collapsed_to_intervals as intervals
            where history.opportunity_id = ? and intervals.opportunity_id = history.opportunity_id
                and intervals.valid_from = history.valid_from
            """,
            [untouched],
        )
    assert after > before  # the late correction opened intervals in the deal's past
    assert canary == [(-1,)]  # the untouched deal was kept, not rebuilt
    assert _differences(warehouse, tmp_path / "check-1", AS_OF) == {}

    # An opportunities file read again: the earlier read's rows leave raw, the models rebuild whole.
    with duckdb.connect(str(warehouse)) as con:
        file_id = con.execute(
            "select min(file_id) from raw.ingested_files where kind = 'opportunities' and status = 'loaded'"
        ).fetchone()[0]
        report = reprocess_with(con, settings, contracts, [file_id])
        assert [f.status for f in report.files] == ["loaded"]
    dbt_build(tmp_path / "dbt", warehouse, {"as_of_date": AS_OF.isoformat()}, BUILD)
    assert _differences(warehouse, tmp_path / "check-2", AS_OF) == {}

    # Tests that scale: with tested_after_file_id, tests read only rows of later files.
    with duckdb.connect(str(warehouse)) as con:
        newest = con.execute("select max(file_id) from raw.ingested_files").fetchone()[0]
        old_file = con.execute("select min(_file_id) from raw.opportunities").fetchone()[0]
        con.execute(
            "insert into raw.opportunities by name select * replace ("
            "'no_such_stage' as stage, ? as _file_id, 'OPP-PLANTED' as opportunity_id"
            ") from raw.opportunities limit 1",
            [old_file],
        )
    select = ("test", "--select", "stg_raw__opportunity_lineage")
    light = {"as_of_date": AS_OF.isoformat(), "tested_after_file_id": newest}
    assert run_dbt(tmp_path / "dbt", warehouse, light, select).returncode == 0  # the old row is not read
    # The pipeline passes the file and the as-of date through the environment instead (a var that
    # changes from run to run would make dbt parse the whole project again).
    monkeypatch.setenv("SALESPULSE_DBT_TESTED_AFTER_FILE_ID", str(newest))
    monkeypatch.setenv("SALESPULSE_DBT_AS_OF", AS_OF.isoformat())
    assert run_dbt(tmp_path / "dbt", warehouse, {}, select).returncode == 0
    monkeypatch.delenv("SALESPULSE_DBT_TESTED_AFTER_FILE_ID")
    full = run_dbt(tmp_path / "dbt", warehouse, {"as_of_date": AS_OF.isoformat()}, select)
    assert full.returncode == 1 and "accepted_values_stg_raw__opportunity_lineage_stage" in full.stdout
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update raw.opportunities set _file_id = ? where opportunity_id = 'OPP-PLANTED'", [newest + 1]
        )
    assert run_dbt(tmp_path / "dbt", warehouse, light, select).returncode == 1  # a new row is read
    monkeypatch.setenv("SALESPULSE_DBT_TESTED_AFTER_FILE_ID", str(newest))
    assert run_dbt(tmp_path / "dbt", warehouse, {}, select).returncode == 1
