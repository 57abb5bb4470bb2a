"""The ingest assets as Dagster runs them: metadata, GX asset checks, sensor."""

from __future__ import annotations

import os
import time

import dagster as dg
import pytest

from pipelines.definitions import build_resources
from pipelines.defs.ingest.assets import build_ingest_landing, raw_key, work_calendar
from pipelines.defs.ingest.sensors import build_landing_sensor, latest_closed_day

DAILY = "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"


def _materialize(settings):
    return dg.materialize(
        [build_ingest_landing(settings), work_calendar], resources=build_resources(settings)
    )


def _land(settings, relative, text):
    path = settings.landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.xdist_group("dagster")
def test_ingest_run_reports_files_rejects_and_gx_checks(home):
    _land(
        home,
        "daily_reports/d.csv",
        DAILY + "R001,张三,2026-03-05,2026-03-05 16:00,380,3,0,\n"
        "R002,李四,2026-03-05,2026-03-05 16:00,-1,3,0,\n",
    )
    _land(home, "orders/bad.csv", "order_id,amount\nO1,5\n")
    result = _materialize(home)
    assert result.success
    materializations = {
        event.asset_key: event.materialization.metadata for event in result.get_asset_materialization_events()
    }
    daily = materializations[raw_key("daily_reports")]
    assert daily["rows_loaded"].value == 1 and daily["rows_rejected"].value == 1
    assert "visits: '…' is below the minimum 0" in daily["rejects_by_reason"].value
    orders = materializations[raw_key("orders")]
    assert orders["files_quarantined"].value == 1
    assert "missing required column" in orders["file_details"].value
    checks = {
        (evaluation.asset_key, evaluation.check_name): evaluation
        for evaluation in result.get_asset_check_evaluations()
    }
    gx_daily = checks[(raw_key("daily_reports"), "great_expectations")]
    assert not gx_daily.passed  # 380 visits breaks the analyst's plausibility expectation
    assert gx_daily.severity == dg.AssetCheckSeverity.WARN
    failed = gx_daily.metadata["failed_expectations"].value
    assert failed[0]["column"] == "visits" and "380" in failed[0]["examples"]
    # No order loaded: the orders suite had nothing to check, so it is skipped with the reason.
    assert (raw_key("orders"), "great_expectations") not in checks
    assert "skipped: nothing to check" in orders["great_expectations"].value
    registry = dg.AssetKey(["raw", "ingested_files"])
    quarantine_check = checks[(registry, "no_quarantined_files")]
    assert not quarantine_check.passed and quarantine_check.severity == dg.AssetCheckSeverity.ERROR
    assert "orders/bad.csv" in quarantine_check.metadata["files"].value
    assert not checks[(registry, "no_rejected_rows")].passed
    calendar = materializations[dg.AssetKey(["raw", "work_calendar"])]
    assert calendar["makeup_workdays"].value > 0

    second = _materialize(home)
    again = {e.asset_key: e.materialization.metadata for e in second.get_asset_materialization_events()}
    assert again[raw_key("daily_reports")]["rows_loaded"].value == 0


@pytest.mark.xdist_group("dagster")
def test_landing_sensor_waits_for_settled_files_and_fires_once(home, monkeypatch):
    monkeypatch.setenv("SALESPULSE_LANDING_SETTLE_SECONDS", "60")
    from salespulse.config import get_settings

    get_settings.cache_clear()
    landing_sensor = build_landing_sensor(get_settings())
    context = dg.build_sensor_context()
    assert isinstance(landing_sensor(context), dg.SkipReason)
    path = _land(home, "orders/o.csv", "order_id\n")
    skip = landing_sensor(context)
    assert isinstance(skip, dg.SkipReason) and "still being written" in skip.skip_message
    old = time.time() - 120
    os.utime(path, (old, old))
    request = landing_sensor(context)
    assert isinstance(request, dg.RunRequest)
    # The pipeline plus the latest closed day's digest, as of that day, mailed to nobody.
    assert request.partition_key == request.tags["salespulse/as_of"]
    assert request.run_config["ops"]["briefs__daily_exception_digest"]["config"]["send_email"] == "never"
    context = dg.build_sensor_context(cursor=context.cursor)
    assert isinstance(landing_sensor(context), dg.SkipReason)


def test_latest_closed_day_follows_the_deadline_and_the_calendar():
    from datetime import date, datetime, time

    from salespulse.calendar import WorkCalendar

    calendar = WorkCalendar()
    deadline = time(17, 0)
    assert latest_closed_day(datetime(2026, 10, 9, 18, 0), calendar, deadline) == date(2026, 10, 9)
    assert latest_closed_day(datetime(2026, 10, 9, 10, 0), calendar, deadline) == date(2026, 10, 8)
    assert latest_closed_day(datetime(2026, 10, 9, 18, 0), calendar, time(19, 0)) == date(2026, 10, 8)
    # Sunday 11 Oct after the 调休 Saturday: the Saturday is the latest working day.
    assert latest_closed_day(datetime(2026, 10, 11, 20, 0), calendar, deadline) == date(2026, 10, 10)
    # Golden Week: back to the last working day before the holiday.
    assert latest_closed_day(datetime(2026, 10, 3, 20, 0), calendar, deadline) == date(2026, 9, 30)


@pytest.mark.xdist_group("dagster")
def test_ingest_step_reprocesses_quarantined_files_when_configured(home):
    """What the `reprocess` job runs: a quarantined file, read again after the contract is
    fixed, loads under its own file_id; the calendar covers its dates (2016, not the default)."""
    _land(home, "orders/crm.csv", "Deal,customer_id,owner_rep_id,product_line,amount,signed_date,status\n"
          "O1,C1,R1,saas,100,2016-11-08,signed\n")  # fmt: skip
    assert _materialize(home).success
    overrides = home.contract_overrides_dir
    overrides.mkdir(parents=True, exist_ok=True)
    (overrides / "orders.yaml").write_text("columns:\n  order_id:\n    aliases: [Deal]\n", encoding="utf-8")
    result = dg.materialize(
        [build_ingest_landing(home), work_calendar],
        resources=build_resources(home),
        run_config={"ops": {"ingest_landing": {"config": {"reprocess_quarantined": True}}}},
    )
    assert result.success
    metadata = {e.asset_key: e.materialization.metadata for e in result.get_asset_materialization_events()}
    assert metadata[raw_key("orders")]["rows_loaded"].value == 1
    assert metadata[dg.AssetKey(["raw", "work_calendar"])]["first_day"].value <= "2016-11-08"


@pytest.mark.xdist_group("dagster")
def test_the_ingest_run_mirrors_raw_to_parquet_when_asked(home, monkeypatch):
    import duckdb

    from salespulse.config import get_settings

    monkeypatch.setenv("SALESPULSE_RAW_PARQUET", "1")
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.raw_parquet and settings.raw_parquet_dir == home.home / "raw_parquet"
    _land(settings, "daily_reports/d.csv", DAILY + "R001,张三,2026-03-05,2026-03-05 16:00,3,3,0,\n")
    result = _materialize(settings)
    assert result.success
    calendar = {
        event.asset_key: event.materialization.metadata for event in result.get_asset_materialization_events()
    }[dg.AssetKey(["raw", "work_calendar"])]
    assert calendar["raw_parquet_files_written"].value >= 3  # the report, the registry, the calendar
    files = list((settings.raw_parquet_dir / "daily_reports").glob("load_date=*/*.parquet"))
    assert len(files) == 1
    with duckdb.connect() as con:
        rows = con.execute("select rep_id, visits from read_parquet(?)", [str(files[0])]).fetchall()
    assert rows == [("R001", 3)]


@pytest.mark.xdist_group("dagster")
def test_a_broken_contract_override_fails_the_ingest_step_not_the_code_location(home):
    """A deployment's override that does not parse used to stop the code location from loading:
    no UI, no sensors, so no alert either. Now the definitions load, and the ingest step fails
    naming the file, with every landed file still in landing/."""
    from pipelines.definitions import build_definitions

    home.contract_overrides_dir.mkdir(parents=True, exist_ok=True)
    broken = home.contract_overrides_dir / "orders.yaml"
    broken.write_text("columns: [unclosed\n", encoding="utf-8")
    landed = _land(home, "orders/o.csv", "order_id,customer_id,owner_rep_id,amount,signed_date,status\n")
    defs = build_definitions(home)
    assert defs.resolve_sensor_def("landing_sensor") is not None
    result = dg.materialize(
        [build_ingest_landing(home), work_calendar], resources=build_resources(home), raise_on_error=False
    )
    assert not result.success
    [failure] = [event for event in result.all_events if event.event_type == dg.DagsterEventType.STEP_FAILURE]
    message = failure.step_failure_data.user_failure_data.description
    assert str(broken) in message and "not valid YAML" in message and "stay in landing/" in message
    assert landed.exists()
