"""Dagster on Postgres (issue #15, item 4): the shipped `dagster-postgres.yaml` variant keeps runs,
event logs and sensor ticks in PostgreSQL, with the same run queue, concurrency pools and run
monitoring as `dagster.yaml`.

A temporary PostgreSQL server (Debian's `postgresql` package, `make system-deps`) is made with
initdb on a temporary directory and started with pg_ctl on a free port of 127.0.0.1, as the
`postgres` user when the tests run as root (initdb refuses root); it is stopped afterwards.
Without initdb/pg_ctl the tests fail, saying so: they never skip silently.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
import yaml
from postgres_server import PG_PASSWORD, PG_USER, TempPostgres, postgres_bin

from salespulse.config import PROJECT_ROOT, get_settings
from salespulse.generate import generate_org

pytestmark = pytest.mark.xdist_group("dagster_postgres")

AS_OF = date(2026, 3, 31)
BIN = Path(sys.executable).parent
PG_DB = "salespulse_dagster"
DAILY = (
    "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"
    "R001,张三,2026-03-31,2026-03-31 16:00,3,3,0,\n"
)


@pytest.fixture(scope="module")
def postgres():
    server = TempPostgres()
    try:
        server.start()
        server.create_database(PG_DB)
        yield server
    finally:
        server.stop()


def _env(home: Path, postgres: TempPostgres) -> dict[str, str]:
    env = {
        **os.environ,
        "SALESPULSE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "SALESPULSE_AS_OF": AS_OF.isoformat(),
        "SALESPULSE_LANDING_SETTLE_SECONDS": "0",
        "SALESPULSE_DAGSTER_STORAGE": "postgres",
        "SALESPULSE_DAGSTER_PG_HOST": "127.0.0.1",
        "SALESPULSE_DAGSTER_PG_PORT": str(postgres.port),
        "SALESPULSE_DAGSTER_PG_USER": PG_USER,
        "SALESPULSE_DAGSTER_PG_PASSWORD": PG_PASSWORD,
        "SALESPULSE_DAGSTER_PG_DB": PG_DB,
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
    }
    env.pop("SALESPULSE_WAREHOUSE", None)
    return env


@pytest.fixture(scope="module")
def pipeline_run(postgres, tmp_path_factory):
    """A data home on the Postgres instance, with one `salespulse run` of a small generated org."""
    home = tmp_path_factory.mktemp("pg-home")
    generate_org(home, seed=4, as_of=AS_OF, reps=4, months=2)
    env = _env(home, postgres)
    subprocess.run([str(BIN / "salespulse"), "init", "--quiet"], env=env, cwd=PROJECT_ROOT, check=True)
    started = time.monotonic()
    result = subprocess.run(
        [str(BIN / "salespulse"), "run"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    return home, env, result, time.monotonic() - started


@pytest.fixture
def instance(pipeline_run, monkeypatch):
    """The data home's Dagster instance, loaded from its dagster.yaml in this process."""
    import dagster as dg

    _, env, _, _ = pipeline_run
    for name, value in env.items():
        if name.startswith(("SALESPULSE_", "DAGSTER_")):
            monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    with dg.DagsterInstance.from_config(env["DAGSTER_HOME"]) as loaded:
        yield loaded
    get_settings.cache_clear()


def test_the_variant_is_dagster_yaml_plus_postgres_storage():
    plain = yaml.safe_load((PROJECT_ROOT / "dagster.yaml").read_text())
    variant = yaml.safe_load((PROJECT_ROOT / "dagster-postgres.yaml").read_text())
    storage = variant.pop("storage")
    assert variant == plain, "dagster-postgres.yaml has the same settings as dagster.yaml"
    assert set(storage) == {"postgres"}
    connection = storage["postgres"]["postgres_db"]
    assert connection.pop("scheme") == "postgresql+psycopg2", "the driver dagster-postgres installs"
    assert {field: value["env"] for field, value in connection.items()} == {
        "hostname": "SALESPULSE_DAGSTER_PG_HOST",
        "port": "SALESPULSE_DAGSTER_PG_PORT",
        "username": "SALESPULSE_DAGSTER_PG_USER",
        "password": "SALESPULSE_DAGSTER_PG_PASSWORD",
        "db_name": "SALESPULSE_DAGSTER_PG_DB",
    }


@pytest.mark.parametrize("storage", ["", "sqlite", "postgres"])
def test_the_storage_setting_picks_the_instance_config(home, monkeypatch, storage):
    from salespulse import cli

    monkeypatch.setenv("SALESPULSE_DAGSTER_STORAGE", storage)
    for name in ("HOST", "PORT", "USER", "PASSWORD", "DB"):
        monkeypatch.setenv(f"SALESPULSE_DAGSTER_PG_{name}", "x")
    get_settings.cache_clear()
    assert cli.main(["init", "--quiet"]) == 0
    source = "dagster-postgres.yaml" if storage == "postgres" else "dagster.yaml"
    assert (home.dagster_home / "dagster.yaml").read_bytes() == (PROJECT_ROOT / source).read_bytes()


def test_init_names_the_missing_postgres_settings(home, monkeypatch, capsys):
    from salespulse import cli

    monkeypatch.setenv("SALESPULSE_DAGSTER_STORAGE", "postgres")
    monkeypatch.setenv("SALESPULSE_DAGSTER_PG_HOST", "localhost")
    for name in ("PORT", "USER", "PASSWORD", "DB"):
        monkeypatch.delenv(f"SALESPULSE_DAGSTER_PG_{name}", raising=False)
    get_settings.cache_clear()
    assert cli.main(["init", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "SALESPULSE_DAGSTER_PG_PORT, SALESPULSE_DAGSTER_PG_USER" in err and "_HOST" not in err
    monkeypatch.setenv("SALESPULSE_DAGSTER_STORAGE", "mysql")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="SALESPULSE_DAGSTER_STORAGE must be one of sqlite, postgres"):
        get_settings()


def test_without_initdb_the_test_fails_saying_so(monkeypatch):
    monkeypatch.setattr(glob, "glob", lambda pattern: [])
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.fail.Exception, match="fails rather than skips"):
        postgres_bin()


def test_a_pipeline_run_is_recorded_in_postgres(pipeline_run, postgres, instance):
    import dagster as dg
    from dagster._core.storage.event_log.base import EventLogStorage
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    home, _, result, seconds = pipeline_run
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert (home / "dagster" / "dagster.yaml").read_bytes() == (
        PROJECT_ROOT / "dagster-postgres.yaml"
    ).read_bytes(), "salespulse init put the Postgres variant in DAGSTER_HOME"
    assert (home / "analytics.duckdb").is_file()
    assert not list((home / "dagster").rglob("*.db")), "no SQLite storage in DAGSTER_HOME"

    assert isinstance(instance.run_storage, PostgresRunStorage)
    assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
    assert isinstance(instance.schedule_storage, PostgresScheduleStorage)

    runs = postgres.query(PG_DB, "select run_id, pipeline_name, status from runs")
    assert len(runs) == 1, runs
    run_id, job, status = runs[0]
    assert (job, status) == ("salespulse_pipeline", "SUCCESS"), f"{runs}; the run took {seconds:.0f} s"
    events = {
        kind
        for (kind,) in postgres.query(
            PG_DB, "select distinct dagster_event_type from event_logs where run_id = %s", run_id
        )
    }
    expected = {dg.DagsterEventType.RUN_START, dg.DagsterEventType.STEP_SUCCESS}
    expected |= {dg.DagsterEventType.ASSET_MATERIALIZATION, dg.DagsterEventType.RUN_SUCCESS}
    assert {kind.value for kind in expected} <= events, events

    # The same queue, pools and run monitoring as with SQLite, read from the variant.
    assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
    assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    assert instance.run_monitoring_enabled
    assert instance.run_monitoring_settings["free_slots_after_run_end_seconds"] == 30
    storage: EventLogStorage = instance.event_log_storage
    assert storage.supports_global_concurrency_limits
    warehouse = storage.get_concurrency_info("warehouse")
    assert warehouse.slot_count == 1, "the warehouse pool has default_limit's one slot"
    assert not warehouse.claimed_slots and not warehouse.pending_steps, "the run gave its slot back"
    # The run's warehouse steps made the pool (from default_limit) and its one slot in Postgres.
    pool = 'select "limit", using_default_limit from concurrency_limits where concurrency_key = %s'
    assert postgres.query(PG_DB, pool, "warehouse") == [(1, True)]
    slots = "select count(*) from concurrency_slots where concurrency_key = %s and not deleted"
    assert postgres.query(PG_DB, slots, "warehouse") == [(1,)]


def test_a_sensor_tick_is_recorded_in_postgres(pipeline_run, postgres, instance):
    """One iteration of the daemon's sensor loop (what `dagster-daemon run` repeats every 5 s)."""
    import dagster as dg
    from dagster._core.scheduler.instigation import TickStatus
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster._daemon.sensor import execute_sensor_iteration

    home, _, result, _ = pipeline_run
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    landed = home / "landing" / "daily_reports" / "late.csv"
    landed.parent.mkdir(parents=True, exist_ok=True)
    landed.write_text(DAILY, encoding="utf-8")
    old = time.time() - 60
    os.utime(landed, (old, old))

    target = ModuleTarget(
        module_name="pipelines.definitions",
        attribute=None,
        working_directory=str(PROJECT_ROOT),
        location_name="salespulse",
    )
    with WorkspaceProcessContext(instance, target) as context:
        list(execute_sensor_iteration(context, logging.getLogger("test_dagster_postgres"), None, None))

    ticks = postgres.query(PG_DB, "select job_origin_id, status from job_ticks")
    assert ticks, "the sensor iteration recorded ticks in Postgres"
    states = {state.instigator_name: state for state in instance.all_instigator_state()}
    landing_state = states["landing_sensor"]
    landing_ticks = instance.get_ticks(landing_state.instigator_origin_id, landing_state.selector_id)
    assert len(landing_ticks) == 1
    tick = landing_ticks[0]
    assert tick.status == TickStatus.SUCCESS, tick
    assert (landing_state.instigator_origin_id, "SUCCESS") in ticks
    # The requested run waits in the queue (in Postgres) for the daemon's run coordinator.
    (requested,) = tick.run_ids
    assert instance.get_run_by_id(requested).status == dg.DagsterRunStatus.QUEUED
    assert postgres.query(PG_DB, "select status from runs where run_id = %s", requested) == [("QUEUED",)]
