"""`salespulse run`: one pipeline run from the command line (what `make run` and `make demo`
start), which gets itself going after any crash without a person.

Before it starts the job it
- marks runs whose process is gone as failed and frees their warehouse slot (`runs`),
- removes what such runs left half-written (the analysts' copy being published),
- refuses to start, saying so, when the data home's disk is (nearly) full,
- waits for files in landing/ that are still being written (at most
  SALESPULSE_LANDING_WAIT_SECONDS; later ones load at the next run),
- waits for the warehouse slot while a live run holds it, printing which run that is.
Then it runs `dagster job execute` and stays beside it: should the job wait for the slot after
all, it says for which run; Ctrl-C stops the wait or the run (the run is marked canceled or
failed, never left holding the slot).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from salespulse.config import RESOURCE_ROOT, Settings, get_settings
from salespulse.ingest.faults import remove_leftovers
from salespulse.ingest.landing import open_for_writing, scan_landing
from salespulse.instance import CODE_LOCATION, QUIET_CONFIG, dagster_executable, init_home

LAUNCH_TAG = "salespulse/launch"
POLL_SECONDS = 1.0
# While waiting, look for dead slot holders this often (it reads the run storage).
RECOVER_EVERY_SECONDS = 5.0
STOP_GRACE_SECONDS = 20.0


def say(text: str) -> None:
    print(f"salespulse run: {text}", file=sys.stderr, flush=True)


def free_space_problem(settings: Settings) -> str | None:
    """'No space left on device' with the path, when the data home's disk is below the minimum."""
    try:
        free = shutil.disk_usage(settings.home).free
    except OSError:
        return None
    if free < settings.min_free_mb * 1024 * 1024:
        return (
            f"No space left on device: {settings.home} has {free / 1024 / 1024:,.1f} MB free, less than "
            f"SALESPULSE_MIN_FREE_MB={settings.min_free_mb}. Free some space and run again: nothing "
            "was started, the files in landing/ wait."
        )
    return None


def _some(items: list[str], shown: int = 3) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more


def wait_for_landing(settings: Settings, sleep=time.sleep) -> None:
    """Wait (bounded) until no file in landing/ is still being written, saying which are."""
    started = time.monotonic()
    told: set[str] = set()
    while True:
        scan = scan_landing(settings.landing_dir, settings.landing_settle_seconds)
        if not scan.waiting:
            if told:
                say(f"landing/ settled after {time.monotonic() - started:.0f} s")
            return
        new = [(landed, why) for landed, why in scan.waiting if landed.name not in told]
        if new:
            say(
                f"waiting for {len(new)} file(s) in landing/ still being written "
                f"(Ctrl-C stops waiting): {_some([f'{landed.name}: {why}' for landed, why in new])}"
            )
            told.update(landed.name for landed, _ in new)
        if time.monotonic() - started >= settings.landing_wait_seconds:
            say(
                f"still being written after {settings.landing_wait_seconds} s "
                f"(SALESPULSE_LANDING_WAIT_SECONDS): {_some([landed.name for landed, _ in scan.waiting])}; "
                "they load at the next run"
            )
            return
        sleep(POLL_SECONDS)


def release_warehouse(settings: Settings, instance, sleep=time.sleep) -> None:
    """A dbt build left running by a run that was killed (its parent is gone) is stopped: its
    run has failed, and it would hold the warehouse's lock while the next run needs it. Any other
    process that has the warehouse open while no run is in progress is waited for, saying what
    it is."""
    from pipelines.runs import runs_in_progress, stop_orphaned_builds

    told = set()
    while True:
        if runs_in_progress(instance):
            return  # a live run owns the warehouse: wait_for_slot takes over
        for note in stop_orphaned_builds(settings.warehouse_path):
            say(note)
        warehouse = settings.warehouse_path.resolve()
        holders = open_for_writing([warehouse]).get(warehouse, [])
        if not holders:
            return
        for pid, command in holders:
            if pid not in told:
                say(
                    f"waiting for pid {pid} ({command}), which has the warehouse {warehouse} open "
                    "(Ctrl-C stops waiting; analysts query analytics.duckdb instead)"
                )
                told.add(pid)
        sleep(POLL_SECONDS)


def _describe_holders(holders) -> str:
    return "; ".join(holder.describe() for holder in holders)


def wait_for_slot(instance, sleep=time.sleep) -> None:
    """Wait while a live run holds the warehouse slot, saying which; dead holders are recovered."""
    from pipelines.runs import recover_dead_runs, slot_holders

    last_said = ""
    last_recovery = time.monotonic()
    while True:
        holders = slot_holders(instance)
        if not holders:
            return
        text = _describe_holders(holders)
        if text != last_said:
            say(f"waiting for the warehouse, held by {text} (Ctrl-C stops waiting)")
            last_said = text
        sleep(POLL_SECONDS)
        if time.monotonic() - last_recovery >= RECOVER_EVERY_SECONDS:
            for note in recover_dead_runs(instance):
                say(note)
            last_recovery = time.monotonic()


def _find_run(instance, launch_id: str):
    from dagster._core.storage.dagster_run import RunsFilter

    runs = instance.get_runs(filters=RunsFilter(tags={LAUNCH_TAG: launch_id}), limit=1)
    return runs[0] if runs else None


def _supervise(instance, process: subprocess.Popen, launch_id: str, warehouse: Path) -> int:
    """Wait for the job's process, saying what its run waits for; Ctrl-C stops it."""
    from pipelines.runs import recover_dead_runs, slot_holders, waiting_steps

    run_id = None
    last_said = ""
    last_check = 0.0
    try:
        while True:
            try:
                return process.wait(timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() - last_check < RECOVER_EVERY_SECONDS:
                continue
            last_check = time.monotonic()
            if run_id is None:
                run = _find_run(instance, launch_id)
                run_id = run.run_id if run is not None else None
            if run_id is None or not waiting_steps(instance, run_id):
                continue
            for note in recover_dead_runs(instance):
                say(note)
            holders = [holder for holder in slot_holders(instance) if holder.run_id != run_id]
            text = _describe_holders(holders) or "nobody (about to take it)"
            if text != last_said:
                say(f"run {run_id[:8]} is waiting for the warehouse, held by {text} (Ctrl-C stops it)")
                last_said = text
    except KeyboardInterrupt:
        say("stopping the run (Ctrl-C)…")
        run_id = run_id or getattr(_find_run(instance, launch_id), "run_id", None)
        return _stop(instance, process, run_id, warehouse)


def _stop(instance, process: subprocess.Popen, run_id: str | None, warehouse: Path) -> int:
    """Stop the job's process: an interrupt first (Dagster records the run as canceled), then
    harder. The run never keeps the slot."""
    from pipelines.runs import recover_dead_runs, stop_orphaned_builds

    for sig, grace in ((signal.SIGINT, STOP_GRACE_SECONDS), (signal.SIGTERM, 10.0), (signal.SIGKILL, 10.0)):
        if process.poll() is not None:
            break
        process.send_signal(sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            continue
        except KeyboardInterrupt:  # a second Ctrl-C: harder at once
            continue
    for note in recover_dead_runs(instance) + stop_orphaned_builds(warehouse):
        say(note)
    if run_id is not None:
        run = instance.get_run_by_id(run_id)
        if run is not None and not run.is_finished:
            instance.report_run_canceled(run, "stopped with Ctrl-C from salespulse run")
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        say(f"run {run_id[:8]} stopped; the next run starts cleanly")
    return 130


def run(job: str = "salespulse_pipeline", config: Path | None = QUIET_CONFIG) -> int:
    settings = get_settings()
    settings.ensure_dirs()
    # The data home's instance, whatever the shell says (as every salespulse command).
    os.environ["DAGSTER_HOME"] = str(settings.dagster_home)
    init_home(settings)
    import dagster as dg

    from pipelines.runs import recover_dead_runs

    with dg.DagsterInstance.get() as instance:
        for note in recover_dead_runs(instance):
            say(note)
        for path in remove_leftovers(settings.analytics_path, []):
            say(f"removed {path.name}, left half-written by a run that died")
        problem = free_space_problem(settings)
        if problem:
            say(problem)
            return 2
        try:
            release_warehouse(settings, instance)
            wait_for_landing(settings)
            wait_for_slot(instance)
        except KeyboardInterrupt:
            say("stopped waiting (Ctrl-C): nothing was run")
            return 130
        launch_id = uuid.uuid4().hex
        command = [
            dagster_executable(),
            "job",
            "execute",
            *CODE_LOCATION,
            "-j",
            job,
            "--tags",
            json.dumps({LAUNCH_TAG: launch_id}),
        ]
        if config is not None:
            command += ["-c", str(config)]
        process = subprocess.Popen(command, cwd=RESOURCE_ROOT)
        code = _supervise(instance, process, launch_id, settings.warehouse_path)
        if code not in (0, 130):
            for note in recover_dead_runs(instance):
                say(note)
            problem = free_space_problem(settings)
            if problem:
                say(problem)
        return code
