"""Drop → analytics.duckdb: how long a file dropped into landing/ takes to reach the analysts.

    python -m benchmarks.latency [--drops 3] [--port 3017]      (make latency)

Needs a built data home (`make demo`). Starts `dagster dev` on it (webserver and daemon, as
`make dev` runs them), waits until the landing sensor ticks, then drops one small daily-report
export at a time into landing/daily_reports/ and times it until analytics.duckdb is replaced.
The run's own timeline (sensor request, launch, steps) comes from the Dagster instance. The
drops are real data: corrected reports of a few reps for the as-of day, loaded like any other.
Results: a table on stdout and benchmarks/results/latency.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

from salespulse.config import PROJECT_ROOT, load_settings
from salespulse.instance import dagster_env, init_home

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "latency.json"
HEADER = "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"


def _last_sensor_tick(instance) -> float | None:
    """When the landing sensor last ticked (the daemon evaluates it), from the instance."""
    for state in instance.all_instigator_state():
        if state.instigator_name == "landing_sensor":
            ticks = instance.get_ticks(state.instigator_origin_id, state.selector_id, limit=1)
            return ticks[0].timestamp if ticks else None
    return None


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def _drop_text(reps: list[tuple[str, str]], day: str, n: int) -> str:
    rows = [
        f"{rep_id},{name},{day},{day} 16:{10 + i:02d}:00,{4 + (n + i) % 5},{10 + i},{i % 3},"
        f"latency drop {n} {time.time():.3f}\n"
        for i, (rep_id, name) in enumerate(reps)
    ]
    return HEADER + "".join(rows)


def _run_timeline(instance, after: float) -> dict | None:
    """The landing run requested after `after`, once finished: its timestamps and step times."""
    from dagster import DagsterRunStatus, RunsFilter

    records = instance.get_run_records(RunsFilter(tags={"salespulse/trigger": "landing"}), limit=5)
    for record in records:
        if record.create_timestamp.timestamp() < after:
            continue
        if record.dagster_run.status not in (DagsterRunStatus.SUCCESS, DagsterRunStatus.FAILURE):
            return {"pending": True}
        steps = {
            stat.step_key: (stat.start_time, stat.end_time)
            for stat in instance.get_run_step_stats(record.dagster_run.run_id)
        }
        return {
            "run_id": record.dagster_run.run_id,
            "status": record.dagster_run.status.value,
            "requested": record.create_timestamp.timestamp(),
            "started": record.start_time,
            "ended": record.end_time,
            "steps": steps,
        }
    return None


def _breakdown(drop: float, published: float, timeline: dict, settle: int) -> dict:
    steps = timeline["steps"]

    def span(key: str) -> float | None:
        start, end = steps.get(key, (None, None))
        return round(end - start, 1) if start and end else None

    brief_end = max(
        (end for key, (_, end) in steps.items() if key.startswith("briefs__") and end), default=None
    )
    return {
        "drop_to_analytics_s": round(published - drop, 1),
        "sensor_request_s": round(timeline["requested"] - drop, 1),
        "settle_s": settle,
        "queue_and_launch_s": round(timeline["started"] - timeline["requested"], 1),
        "ingest_s": span("ingest_landing"),
        "dbt_build_s": span("dbt_warehouse"),
        "checks_and_digest_s": round(
            sum(
                span(key) or 0 for key in ("dq_rule_checks", "dq_mart_expectations", "marts__dq_check_digest")
            ),
            1,
        ),
        "publish_s": span("analytics__duckdb"),
        "analytics_before_briefs": bool(
            brief_end
            and steps.get("analytics__duckdb", (0, 0))[1]
            and steps["analytics__duckdb"][1] <= brief_end
        ),
        "drop_to_run_end_s": round(timeline["ended"] - drop, 1),
        "run_status": timeline["status"],
    }


def measure(drops: int, port: int, timeout: float) -> list[dict]:
    from dagster import DagsterInstance

    settings = load_settings()
    if not settings.analytics_path.exists():
        sys.exit(f"{settings.analytics_path} does not exist: build the data home first (make demo)")
    init_home(settings)
    with duckdb.connect(str(settings.analytics_path), read_only=True) as con:
        reps = con.execute(
            "select rep_id, rep_name from marts.dim_reps where is_current and role = 'rep' "
            "and leave_date is null order by rep_id limit 5"
        ).fetchall()
        day = str(con.execute("select max(report_date) from marts.fct_daily_reports").fetchone()[0])
    log = (settings.home / "latency-dagster.log").open("w")
    env = {**dagster_env(settings), "PYTHONUNBUFFERED": "1"}
    started = time.time()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-m",
            "pipelines.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with all its children below
    )
    results = []
    try:
        instance = DagsterInstance.from_config(str(settings.dagster_home))
        deadline = time.time() + 180
        while (_last_sensor_tick(instance) or 0) < started:
            if time.time() > deadline or server.poll() is not None:
                raise RuntimeError(f"the landing sensor did not tick within 180 s; see {log.name}")
            time.sleep(1)
        landing = settings.landing_dir / "daily_reports"
        landing.mkdir(parents=True, exist_ok=True)
        for n in range(1, drops + 1):
            before = _stamp(settings.analytics_path)
            path = landing / f"latency_drop_{int(time.time())}_{n}.csv"
            path.write_text(_drop_text(reps, day, n), encoding="utf-8")
            dropped = path.stat().st_mtime
            published = None
            while time.time() - dropped < timeout:
                if published is None and _stamp(settings.analytics_path) != before:
                    published = time.time()
                timeline = _run_timeline(instance, dropped - 1)
                if published and timeline and not timeline.get("pending"):
                    break
                time.sleep(0.1)
            if not published or not timeline or timeline.get("pending"):
                raise RuntimeError(
                    f"drop {n}: no published analytics.duckdb within {timeout} s; see {log.name}"
                )
            result = _breakdown(dropped, published, timeline, settings.landing_settle_seconds)
            results.append(result)
            print(f"drop {n}: {result['drop_to_analytics_s']} s to analytics.duckdb ({result})", flush=True)
            time.sleep(2)
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with_kill = True
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                with_kill = False
            if with_kill:
                server.wait(timeout=30)
        log.close()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--drops", type=int, default=3, help="files to drop, one after the other (default 3)")
    parser.add_argument(
        "--port", type=int, default=3017, help="port of the Dagster UI it starts (default 3017)"
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait per drop (default 300)")
    args = parser.parse_args()
    settings = load_settings()
    results = measure(args.drops, args.port, args.timeout)
    times = sorted(r["drop_to_analytics_s"] for r in results)
    summary = {
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_1m": round(os.getloadavg()[0], 2),
        "settle_seconds": settings.landing_settle_seconds,
        "sensor_interval_seconds": settings.landing_sensor_interval_seconds,
        "drops": results,
        "median_s": times[len(times) // 2],
        "max_s": times[-1],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(
        f"\ndrop → analytics.duckdb: median {summary['median_s']} s, max {summary['max_s']} s over "
        f"{len(results)} drops (settle {summary['settle_seconds']} s, sensor every "
        f"{summary['sensor_interval_seconds']} s); {RESULTS.relative_to(PROJECT_ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
