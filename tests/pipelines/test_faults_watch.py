"""Dead runs, runs that wait and stuck runs, on a real SQLite Dagster instance (issue #12, item 1).

A run whose process is gone keeps its warehouse slot: `recover_dead_runs` (what
`salespulse run` and the `watch_runs` sensor call) marks it failed and frees the slot; a run
whose process lives is left alone; `salespulse run` waiting for a live run's slot says which
run it waits for and stops on Ctrl-C; a run stuck past SALESPULSE_RUN_STUCK_MINUTES is named in
an alert, once.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import EngineEventData
from dagster._core.test_utils import create_run_for_test

from pipelines.runs import WAREHOUSE_POOL, RunInfo, recover_dead_runs, slot_holders, stuck_runs, why_dead
from salespulse.config import PROJECT_ROOT, get_settings

BIN = Path(sys.executable).parent


@pytest.fixture
def instance(home, monkeypatch):
    dagster_home = home.dagster_home
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    with dg.DagsterInstance.get() as instance:
        yield instance


def _running(
    instance, pid: int, step: str = "ingest_landing", job: str = "salespulse_pipeline", claim: bool = True
):
    """A run in progress executed by process `pid`, holding the warehouse slot with `step`."""
    run = create_run_for_test(instance, job_name=job, status=dg.DagsterRunStatus.STARTED)
    instance.report_engine_event(
        f"Executing steps in process (pid: {pid})",
        dagster_run=run,
        engine_event_data=EngineEventData.in_process(pid, [step]),
    )
    storage = instance.event_log_storage
    storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
    if claim:
        assert storage.claim_concurrency_slot(WAREHOUSE_POOL, run.run_id, step).is_claimed
    return run


def _gone_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_run_whose_process_is_gone_is_failed_and_frees_the_slot(instance):
    dead = _running(instance, _gone_pid())
    notes = recover_dead_runs(instance)
    assert len(notes) == 1 and "died without finishing" in notes[0] and "is gone" in notes[0]
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert slot_holders(instance) == []
    failure = instance.get_records_for_run(
        run_id=dead.run_id, of_type=dg.DagsterEventType.RUN_FAILURE
    ).records[0]
    assert "died without finishing" in failure.event_log_entry.dagster_event.message
    assert recover_dead_runs(instance) == [], "nothing left to do the second time"


def test_a_live_run_keeps_its_slot_and_is_described(instance):
    live = _running(instance, os.getpid(), step="dbt_warehouse")
    assert recover_dead_runs(instance) == []
    assert instance.get_run_by_id(live.run_id).status == dg.DagsterRunStatus.STARTED
    (holder,) = slot_holders(instance)
    text = holder.describe()
    assert live.run_id[:8] in text and "salespulse_pipeline" in text and "running since" in text
    assert f"pid {os.getpid()}" in text and "step dbt_warehouse" in text


def test_a_pid_taken_by_another_program_or_a_restart_means_dead():
    now = time.time()
    mine = RunInfo("r", "job", "STARTED", since=now - 3600, pid=os.getpid())
    started_before_me = RunInfo("r", "job", "STARTED", since=0.0, pid=os.getpid())
    assert why_dead(mine, boot_time=0.0) is None or "another program" in why_dead(mine, boot_time=0.0)
    assert "machine started again" in why_dead(started_before_me, boot_time=now - 60)
    assert why_dead(RunInfo("r", "job", "STARTED", since=now, pid=None), boot_time=0.0) is None


def test_the_slot_of_an_ended_run_is_freed(instance):
    run = _running(instance, os.getpid())
    instance.report_run_failed(instance.get_run_by_id(run.run_id), "ended without freeing its slot")
    notes = recover_dead_runs(instance)
    assert any("which has ended" in note for note in notes)
    assert slot_holders(instance) == []


def test_watch_runs_frees_dead_runs_and_alerts_once_on_a_stuck_run(instance, home, monkeypatch):
    from pipelines.defs.operations.sensors import build_watch_runs

    monkeypatch.setenv("SALESPULSE_RUN_STUCK_MINUTES", "0")
    get_settings.cache_clear()
    watch_runs = build_watch_runs(get_settings())
    dead = _running(instance, _gone_pid())
    live = _running(instance, os.getpid(), step="dbt_warehouse", claim=False)
    context = dg.build_sensor_context(instance=instance)
    watch_runs(context)
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    alerts = [json.loads(line) for line in (home.outbox_dir / "alerts.jsonl").read_text().splitlines()]
    assert [a["run_id"] for a in alerts] == [live.run_id]
    assert "run stuck" in alerts[0]["title"] and "SALESPULSE_RUN_STUCK_MINUTES" in alerts[0]["detail"]
    assert [info.run_id for info in stuck_runs(instance, 0)] == [live.run_id]
    watch_runs(dg.build_sensor_context(instance=instance, cursor=context.cursor))
    lines = (home.outbox_dir / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == 1, "a stuck run is named once, not every minute"
    get_settings.cache_clear()


def test_salespulse_run_says_what_it_waits_for_and_stops_on_ctrl_c(instance, home):
    """A live run (this test process) holds the warehouse: the CLI run waits, names it, and an
    interrupt stops the wait without starting anything."""
    live = _running(instance, os.getpid(), step="dbt_warehouse")
    env = {
        **os.environ,
        "SALESPULSE_HOME": str(home.home),
        "DAGSTER_HOME": str(home.dagster_home),
        "SALESPULSE_MIN_FREE_MB": "0",
    }
    process = subprocess.Popen(
        [str(BIN / "salespulse"), "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    said = ""
    deadline = time.monotonic() + 120
    while "waiting for the warehouse" not in said and time.monotonic() < deadline:
        said += process.stderr.readline()
    assert f"held by run {live.run_id[:8]}" in said and "step dbt_warehouse" in said, said
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    said += err
    assert process.returncode == 130, said
    assert "nothing was run" in said
    assert len(instance.get_runs()) == 1, "no run was started"


def test_salespulse_run_refuses_to_start_on_a_full_disk_saying_so(home):
    env = {
        **os.environ,
        "SALESPULSE_HOME": str(home.home),
        "DAGSTER_HOME": str(home.dagster_home),
        "SALESPULSE_MIN_FREE_MB": str(10**9),  # more than any disk here: as if it were full
    }
    done = subprocess.run(
        [str(BIN / "salespulse"), "run"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert f"No space left on device: {home.home} has" in done.stderr
    assert "nothing was started" in done.stderr


def test_ctrl_c_stops_a_running_pipeline_and_frees_the_warehouse(home, instance):
    """Ctrl-C in the terminal (SIGINT to the foreground process group) while the job runs: the
    command ends, the run is not left in progress and holds no slot."""
    from salespulse.generate import generate_org

    generate_org(home.home, seed=2, as_of=date(2026, 3, 31), reps=4, months=1)
    env = {
        **os.environ,
        "SALESPULSE_HOME": str(home.home),
        "DAGSTER_HOME": str(home.dagster_home),
        "SALESPULSE_AS_OF": "2026-03-31",
        "SALESPULSE_MIN_FREE_MB": "0",
    }
    process = subprocess.Popen(
        [str(BIN / "salespulse"), "run"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    said = ""
    deadline = time.monotonic() + 180
    while "dbt_warehouse" not in said and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        said += line
    assert "dbt_warehouse" in said, said[-3000:]
    os.killpg(process.pid, signal.SIGINT)
    out, _ = process.communicate(timeout=120)
    said += out
    assert process.returncode == 130, said[-3000:]
    assert "stopping the run (Ctrl-C)" in said and "the next run starts cleanly" in said, said[-3000:]
    (run,) = instance.get_runs()
    assert run.is_finished and run.status != dg.DagsterRunStatus.SUCCESS, run.status
    assert slot_holders(instance) == []


def test_a_dbt_build_orphaned_by_a_dead_run_is_stopped_and_no_other(tmp_path):
    """Killing a run leaves its `dbt build` running, holding the warehouse's lock: it is stopped.
    A dbt whose parent lives, or that builds another warehouse, is left alone."""
    import psutil

    from pipelines.runs import stop_orphaned_builds

    fake_dbt = tmp_path / "dbt"
    fake_dbt.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(120)\n")
    fake_dbt.chmod(0o755)
    ours, theirs = tmp_path / "warehouse.duckdb", tmp_path / "other.duckdb"

    def orphan(warehouse: Path) -> int:
        # The run that started it exits at once: the build's parent is gone.
        launcher = subprocess.run(
            ["sh", "-c", f'SALESPULSE_WAREHOUSE="{warehouse}" "{fake_dbt}" build >/dev/null 2>&1 & echo $!'],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(launcher.stdout.strip())

    lost, elsewhere = orphan(ours), orphan(theirs)
    attended = subprocess.Popen(
        [str(fake_dbt), "build"], env={**os.environ, "SALESPULSE_WAREHOUSE": str(ours)}
    )
    try:
        time.sleep(0.5)
        notes = stop_orphaned_builds(ours)
        assert len(notes) == 1 and f"stopped pid {lost}" in notes[0], notes
        assert not psutil.pid_exists(lost) or psutil.Process(lost).status() == psutil.STATUS_ZOMBIE
        assert psutil.pid_exists(elsewhere) and attended.poll() is None
    finally:
        attended.kill()
        attended.wait()
        for pid in (lost, elsewhere):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
