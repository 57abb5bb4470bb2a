"""Runs that died, runs that wait, runs that are stuck: what `salespulse run` and the
`watch_runs` sensor share.

Every step that writes the warehouse takes the `warehouse` concurrency pool (one slot). A run
killed with -9, or lost in a host restart, keeps its slot and stays STARTED: later CLI runs
wait for the slot forever and daemon runs stay QUEUED behind it. Dagster's run monitoring
frees the slots of runs that have *ended*; nothing notices that a run's process is gone. Here
a run is dead when the process that executed it (its pid is in the run's own event log:
"Executing steps in process (pid: …)") no longer exists, or is another process now, or the
machine started after the run did. A dead run is marked failed, saying why, and its slots are
freed; the next run then rebuilds from the raw tables, which only ever hold committed files.

The pid check assumes the run storage is local to this machine (the SQLite instance under
SALESPULSE_HOME/dagster), as every run launched from it is.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg
import psutil
from dagster._core.storage.dagster_run import RunsFilter

WAREHOUSE_POOL = "warehouse"
IN_PROGRESS = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]
WAITING = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]
# A process created this long after the run started cannot be the run's (clock granularity).
PID_REUSE_SLACK_SECONDS = 2.0


_STATE = {"STARTED": "running", "STARTING": "starting", "CANCELING": "canceling", "QUEUED": "queued"}


@dataclass
class RunInfo:
    run_id: str
    job_name: str
    status: str
    since: float  # when it started (or was created, when it has not started)
    pid: int | None = None
    steps: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        return _STATE.get(self.status, self.status.lower())

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.since).strftime("%Y-%m-%d %H:%M:%S")
        parts = [f"run {self.run_id[:8]} ({self.job_name}, {self.state} since {when}"]
        if self.pid is not None:
            parts.append(f", pid {self.pid}")
        if self.steps:
            parts.append(f", step {', '.join(self.steps)}")
        return "".join(parts) + ")"


def run_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process that executes a run, from the run's engine events (latest first)."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, ascending=False, limit=100
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.engine_event_data if event is not None else None
        value = (data.metadata or {}).get("pid") if data is not None else None
        if value is not None:
            with contextlib.suppress(TypeError, ValueError):
                return int(getattr(value, "value", value))
    return None


def _info(instance: dg.DagsterInstance, record) -> RunInfo:
    run = record.dagster_run
    since = record.start_time or record.create_timestamp.timestamp()
    return RunInfo(run.run_id, run.job_name, run.status.value, since, run_pid(instance, run.run_id))


def why_dead(info: RunInfo, boot_time: float | None = None) -> str | None:
    """Why a run in progress cannot be running any more, or None when it may well be."""
    boot_time = psutil.boot_time() if boot_time is None else boot_time
    if info.since < boot_time:
        started = datetime.fromtimestamp(boot_time).strftime("%Y-%m-%d %H:%M:%S")
        return f"the machine started again at {started}, after the run had begun"
    if info.pid is None:
        return None  # not started far enough to say; run monitoring's start timeout covers it
    try:
        process = psutil.Process(info.pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return f"its process {info.pid} has exited"
        if process.create_time() > info.since + PID_REUSE_SLACK_SECONDS:
            return f"its process {info.pid} is gone (the pid now belongs to another program)"
    except psutil.NoSuchProcess:
        return f"its process {info.pid} is gone (killed, or crashed without a word)"
    except psutil.Error:
        return None
    return None


def runs_in_progress(instance: dg.DagsterInstance) -> list[RunInfo]:
    records = instance.get_run_records(filters=RunsFilter(statuses=IN_PROGRESS))
    return [_info(instance, record) for record in records]


def recover_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark every run whose process is gone as failed and free its warehouse slots; free the
    slots still claimed by runs that have ended. Returns one line per run it acted on."""
    notes = []
    for info in runs_in_progress(instance):
        reason = why_dead(info)
        if reason is None:
            continue
        run = instance.get_run_by_id(info.run_id)
        if run is None or run.is_finished:
            continue
        message = (
            f"{info.describe()} died without finishing: {reason}. Marked failed by salespulse and "
            "its warehouse slot freed; a new run loads whatever it had not committed."
        )
        instance.report_run_failed(run, message)
        instance.event_log_storage.free_concurrency_slots_for_run(info.run_id)
        notes.append(message)
    storage = instance.event_log_storage
    if storage.supports_global_concurrency_limits:
        holding = {slot.run_id for slot in storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots}
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is None or run.is_finished:
                storage.free_concurrency_slots_for_run(run_id)
                if run_id in holding:
                    notes.append(f"freed the warehouse slot still held by run {run_id[:8]}, which has ended")
    return notes


def slot_holders(instance: dg.DagsterInstance, pool: str = WAREHOUSE_POOL) -> list[RunInfo]:
    """The runs holding a slot of the pool, with the steps that hold them."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    info = storage.get_concurrency_info(pool)
    steps: dict[str, list[str]] = {}
    for slot in info.claimed_slots:
        steps.setdefault(slot.run_id, []).append(slot.step_key)
    holders = []
    for run_id, keys in steps.items():
        record = next(iter(instance.get_run_records(filters=RunsFilter(run_ids=[run_id]), limit=1)), None)
        if record is None:
            holders.append(RunInfo(run_id, "?", "UNKNOWN", time.time(), None, tuple(keys)))
            continue
        holder = _info(instance, record)
        holder.steps = tuple(keys)
        holders.append(holder)
    return holders


def waiting_steps(instance: dg.DagsterInstance, run_id: str, pool: str = WAREHOUSE_POOL) -> list[str]:
    """The steps of a run waiting for a slot of the pool."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    info = storage.get_concurrency_info(pool)
    return [
        step.step_key
        for step in info.pending_steps
        if step.run_id == run_id and step.assigned_timestamp is None
    ]


def stuck_runs(instance: dg.DagsterInstance, minutes: float, now: float | None = None) -> list[RunInfo]:
    """Runs queued or in progress for longer than `minutes`."""
    now = time.time() if now is None else now
    stuck = []
    for record in instance.get_run_records(filters=RunsFilter(statuses=IN_PROGRESS + WAITING)):
        info = _info(instance, record)
        if now - info.since > minutes * 60:
            stuck.append(info)
    return stuck


def orphaned_dbt_builds(warehouse: Path) -> list[tuple[int, str]]:
    """dbt processes building this warehouse whose parent (the run that started them) is gone."""
    found = []
    target = str(warehouse.resolve())
    for process in psutil.process_iter(["pid", "cmdline", "create_time"]):
        try:
            cmdline = process.info["cmdline"] or []
            if not cmdline or not any(Path(part).name == "dbt" for part in cmdline[:2]):
                continue
            path = process.environ().get("SALESPULSE_WAREHOUSE")
            if not path or str(Path(path).resolve()) != target:
                continue
            parent = process.parent()
            if parent is None or parent.pid == 1 or parent.create_time() > process.info["create_time"]:
                found.append((process.pid, " ".join(cmdline[:3])))
        except psutil.Error:
            continue
    return found


def _terminate(pid: int) -> None:
    try:
        process = psutil.Process(pid)
        process.terminate()
        process.wait(timeout=10)
    except psutil.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    except psutil.Error:
        pass


def stop_orphaned_builds(warehouse: Path) -> list[str]:
    """Stop the dbt builds of this warehouse left running by runs that died: their run failed, the
    next build redoes their work, and meanwhile they hold the warehouse's lock."""
    notes = []
    for pid, command in orphaned_dbt_builds(warehouse):
        _terminate(pid)
        notes.append(f"stopped pid {pid} ({command}): a dbt build left running by a run that died")
    return notes
