"""A file landing in landing/<kind>/ rebuilds what its kind feeds, and only when that is safe."""

from __future__ import annotations

import os
import time
from datetime import datetime

import dagster as dg
import pytest

from pipelines.definitions import build_definitions, build_resources
from pipelines.defs.ingest.assets import LANDING_KINDS_TAG, build_ingest_landing, raw_key, work_calendar
from pipelines.defs.ingest.sensors import latest_closed_day
from salespulse.dbt_project import build_fingerprint, record_consistent_build

DAILY = (
    "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"
    "R001,张三,2026-03-05,2026-03-05 16:00,3,3,0,\n"
)
ORDERS = "order_id,customer_id,owner_rep_id,amount,signed_date,status\nO1,C1,R001,100,2026-03-05,signed\n"


def _land(settings, relative: str, text: str):
    path = settings.landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    old = time.time() - 120
    os.utime(path, (old, old))
    return path


def _sensor(settings):
    """The landing sensor of the code location built for SETTINGS, evaluated against it."""
    repository = build_definitions(settings).get_repository_def()
    sensor = repository.get_sensor_def("landing_sensor")
    return lambda instance: sensor(dg.build_sensor_context(instance=instance, repository_def=repository))


def _today(settings):
    return latest_closed_day(
        datetime.now(settings.tz).replace(tzinfo=None),
        settings.work_calendar(),
        settings.daily_deadline,
    )


def _consistent(settings):
    day = settings.as_of_override or _today(settings)
    record_consistent_build(settings, build_fingerprint(settings, day), day, "earlier-run")


@pytest.mark.xdist_group("dagster")
def test_a_kinds_files_rebuild_what_it_feeds_when_the_rest_is_current(home):
    landing_sensor = _sensor(home)
    _land(home, "daily_reports/d.csv", DAILY)
    with dg.instance_for_test() as instance:
        full = landing_sensor(instance)
        assert full.asset_selection is None, "no consistent build recorded: everything is rebuilt"

        _consistent(home)
        request = landing_sensor(instance)
        keys = {key.to_user_string() for key in request.asset_selection}
        assert request.tags[LANDING_KINDS_TAG] == "daily_reports"
        assert {"raw/daily_reports", "raw/orders", "raw/work_calendar"} <= keys, "ingest is one step"
        assert {"marts/fct_daily_reports", "marts/kpi_rep_monthly", "marts/dq_submissions"} <= keys
        assert {"marts/dq_check_digest", "analytics/duckdb", "briefs/daily_exception_digest"} <= keys
        assert not {"marts/fct_orders", "marts/dim_customers", "marts/fct_opportunity_history"} & keys
        assert "briefs/team_weekly_brief" not in keys
        checks = {(c.asset_key.to_user_string(), c.name) for c in request.asset_check_keys}
        assert ("marts/dq_submissions", "late_reports") in checks
        assert ("raw/orders", "great_expectations") in checks
        assert not any(asset == "marts/fct_orders" for asset, _ in checks), "no tests of untouched models"

        # Another day (or other settings, or other dbt code): the recorded build does not fit.
        record_consistent_build(home, "another-fingerprint", _today(home), "earlier-run")
        _land(home, "daily_reports/e.csv", DAILY.replace("3,3,0", "4,3,0"))
        stale = landing_sensor(instance)
        assert stale.asset_selection is None and LANDING_KINDS_TAG not in stale.tags


@pytest.mark.xdist_group("dagster")
def test_a_loose_file_or_a_busy_queue_rebuilds_everything(home):
    landing_sensor = _sensor(home)
    _consistent(home)
    _land(home, "export.csv", DAILY)
    with dg.instance_for_test() as instance:
        loose = landing_sensor(instance)
        assert loose.asset_selection is None, "a loose file's kind is known only once it is read"
        (home.landing_dir / "export.csv").unlink()
        _land(home, "orders/o.csv", ORDERS)
        instance.add_run(
            dg.DagsterRun(job_name="daily_run", run_id="running-run", status=dg.DagsterRunStatus.STARTED)
        )
        busy = landing_sensor(instance)
        assert busy.asset_selection is None, "a running run may change the warehouse first"
        instance.delete_run("running-run")
        idle = landing_sensor(instance)
        assert idle.tags[LANDING_KINDS_TAG] == "orders" and dg.AssetKey(["marts", "fct_orders"]) in set(
            idle.asset_selection
        )


@pytest.mark.xdist_group("dagster")
def test_a_landing_run_loads_only_its_kinds(home):
    _land(home, "daily_reports/d.csv", DAILY)
    _land(home, "orders/o.csv", ORDERS)
    result = dg.materialize(
        [build_ingest_landing(home), work_calendar],
        resources=build_resources(home),
        tags={LANDING_KINDS_TAG: "daily_reports"},
    )
    assert result.success
    loaded = {
        event.asset_key: event.materialization.metadata["rows_loaded"].value
        for event in result.get_asset_materialization_events()
        if "rows_loaded" in event.materialization.metadata
    }
    assert loaded[raw_key("daily_reports")] == 1 and loaded[raw_key("orders")] == 0
    assert (home.landing_dir / "orders" / "o.csv").exists(), "left for its own run"
    assert not (home.landing_dir / "daily_reports" / "d.csv").exists()


def test_the_fingerprint_follows_the_as_of_date_the_settings_and_the_code(home, monkeypatch, tmp_path):
    from salespulse.config import get_settings

    day = _today(home)
    first = build_fingerprint(home, day)
    assert build_fingerprint(home, day) == first
    assert build_fingerprint(home, day.replace(year=day.year - 1)) != first
    monkeypatch.setenv("SALESPULSE_MAX_DAILY_VISITS", "60")
    get_settings.cache_clear()
    assert build_fingerprint(get_settings(), day) != first
    manifest = tmp_path / "manifest.json"
    manifest.write_text('{"nodes": {"model.salespulse.x": {"checksum": {"checksum": "abc"}}}}')
    assert build_fingerprint(home, day, manifest) != first
