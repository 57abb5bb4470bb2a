"""Benchmark the pipeline at three org sizes, as a user runs it, against DuckDB's floor.

    python -m benchmarks.run [--sizes S,M] [--as-of 2026-06-30]

For each size: generate (cached in benchmarks/cache/), ingest everything but the last day and
run the whole Dagster job (`dagster job execute`, the graph the schedules run), then land the
last day's exports and run it again (the daily incremental run). Wall time per stage comes
from Dagster's step statistics; peak memory is the whole process tree's, polled. The floor is
the dbt models' compiled SQL executed directly in one DuckDB process over the same raw tables.
Results: a table on stdout and benchmarks/results/<size>.json. Then one large CSV's ingest
(`benchmarks/ingest_csv.py`, benchmarks/results/ingest_csv.json). With --engines (make bench
BENCH_ENGINE=spark,postgres) the dbt step of each size is also built on those engines from the
raw Parquet mirror, beside DuckDB from the same files (`benchmarks/engines.py`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import psutil

from benchmarks.increment import differences, split_last_day
from salespulse.config import PROJECT_ROOT
from salespulse.contracts import load_contracts
from salespulse.instance import CODE_LOCATION, QUIET_CONFIG, dagster_executable

BENCH = PROJECT_ROOT / "benchmarks"
SIZES = {"S": (40, 15), "M": (400, 24), "L": (2000, 36)}
SEED = 7
BIN = Path(sys.executable).parent


class PeakMemory:
    """Peak resident memory of a process and all its children, polled every 50 ms.

    `samples` keeps (wall-clock time, bytes) so that the peak can be split by pipeline step.
    """

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak = 0
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
                total = 0
                for process in processes:
                    with contextlib.suppress(psutil.Error):
                        total += process.memory_info().rss
                self.peak = max(self.peak, total)
                self.samples.append((time.time(), total))
            except psutil.Error:
                pass
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def prepare_org(size: str, as_of: date) -> Path:
    """Generate once and split into base/ and increment/ landings; cached between runs."""
    reps, months = SIZES[size]
    org = BENCH / "cache" / f"{size}-seed{SEED}-{as_of.isoformat()}"
    done = org / ".ready"
    if done.exists():
        return org
    from salespulse.generate import generate_org

    shutil.rmtree(org, ignore_errors=True)
    started = time.perf_counter()
    generate_org(org / "generated", seed=SEED, as_of=as_of, reps=reps, months=months)
    generated = time.perf_counter() - started
    split_last_day(
        org / "generated" / "landing",
        org / "base",
        org / "increment",
        as_of,
        load_contracts(PROJECT_ROOT / "models"),
    )
    shutil.rmtree(org / "generated" / "landing")
    (org / "generate_seconds.txt").write_text(f"{generated:.2f}\n")
    done.touch()
    return org


def run_job(home: Path, as_of: date, job: str, partition: str) -> dict:
    env = {
        **os.environ,
        "SALESPULSE_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        "SALESPULSE_AS_OF": as_of.isoformat(),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    subprocess.run([BIN / "salespulse", "init", "--quiet"], env=env, check=True)
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            dagster_executable(),
            "job",
            "execute",
            *CODE_LOCATION,
            "-j",
            job,
            "--tags",
            json.dumps({"dagster/partition": partition}),
            "-c",
            str(QUIET_CONFIG),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    memory = PeakMemory(process.pid)
    _, err = process.communicate()
    wall = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"pipeline failed:\n{err[-4000:]}")
    spans = step_spans(home)
    return {
        "wall_seconds": round(wall, 2),
        "peak_memory_mb": round(peak / 2**20),
        "steps": {step: round(end - start, 2) for step, (start, end) in spans.items()},
        "peak_memory_mb_by_stage": peak_by_stage(memory.samples, spans),
    }


def step_spans(home: Path) -> dict[str, tuple[float, float]]:
    """(start, end) wall-clock times of each step of the latest run, from the Dagster instance."""
    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        run = instance.get_runs(limit=1)[0]
        stats = instance.get_run_step_stats(run.run_id)
    return {s.step_key: (s.start_time or 0, s.end_time or s.start_time or 0) for s in stats}


def peak_by_stage(samples: list[tuple[float, int]], spans: dict[str, tuple[float, float]]) -> dict[str, int]:
    """The process tree's peak memory (MB) while each stage's steps ran; "between" outside any step.

    Steps of different stages that overlap both get the sample: the figure says what was
    resident while the stage ran, not what the stage alone allocated.
    """
    peaks: dict[str, int] = {}
    for at, total in samples:
        stages = {stage_of(step) for step, (start, end) in spans.items() if start <= at <= end} or {"between"}
        for stage in stages:
            peaks[stage] = max(peaks.get(stage, 0), total)
    return {stage: round(peak / 2**20) for stage, peak in sorted(peaks.items())}


def stage_of(step: str) -> str:
    if step.startswith("ingest") or "calendar" in step:
        return "ingest"
    if step.startswith("dbt"):
        return "dbt_build"
    if "brief" in step:
        return "briefs"
    if "analytics" in step:
        return "publish"
    return "checks"


def summarise(run: dict) -> dict:
    stages: dict[str, float] = {}
    for step, seconds in run["steps"].items():
        stages[stage_of(step)] = round(stages.get(stage_of(step), 0) + seconds, 2)
    return {**run, "stages": stages}


def _warehouse_copy(home: Path, name: str) -> Path:
    """A fresh folder `home/name` holding a copy of the warehouse."""
    work = home / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    shutil.copy2(home / "warehouse.duckdb", work / "warehouse.duckdb")
    return work


def _dbt_on_copy(work: Path, as_of: date, *args: str) -> None:
    """`dbt ARGS` of the project on the warehouse copy in `work`, as of `as_of`, quietly."""
    from salespulse.config import load_settings
    from salespulse.dbt_project import dbt_vars

    os.environ["SALESPULSE_AS_OF"] = as_of.isoformat()
    subprocess.run(
        [
            BIN / "dbt",
            args[0],
            "--quiet",
            *args[1:],
            "--project-dir",
            "dbt_project",
            "--profiles-dir",
            "dbt_project",
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--vars",
            json.dumps(dbt_vars(load_settings(), as_of)),
        ],
        env={**os.environ, "SALESPULSE_WAREHOUSE": str(work / "warehouse.duckdb")},
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def floor_seconds(home: Path, as_of: date) -> dict:
    """The dbt models' SQL run directly, in dependency order, in one DuckDB process."""
    work = _warehouse_copy(home, "floor")
    # The incremental models' SQL as a first build runs it (every row), not an increment.
    _dbt_on_copy(work, as_of, "compile", "--full-refresh")
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    models = {k: v for k, v in manifest["nodes"].items() if v["resource_type"] == "model"}
    order: list[str] = []
    seen: set[str] = set()

    def visit(node: str) -> None:
        if node in seen or node not in models:
            return
        seen.add(node)
        for parent in models[node]["depends_on"]["nodes"]:
            visit(parent)
        order.append(node)

    for node in sorted(models):
        visit(node)
    con = duckdb.connect(str(work / "warehouse.duckdb"))
    started = time.perf_counter()
    for node in order:
        model = models[node]
        kind = model["config"]["materialized"]
        if kind == "ephemeral":
            continue
        relation = f'"{model["schema"]}"."{model["alias"] or model["name"]}"'
        con.execute(f'create schema if not exists "{model["schema"]}"')
        what = "view" if kind == "view" else "table"
        con.execute(f"create or replace {what} {relation} as {model['compiled_code']}")
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": round(seconds, 2), "models": len(order)}


def essential_floor(home: Path, as_of: date) -> dict:
    """The KPI marts' essential work as one hand-written query over raw (essential_floor.sql),
    timed, and checked against the company marts' totals so the floor is the same work."""
    from salespulse.config import get_settings

    sql = (BENCH / "essential_floor.sql").read_text(encoding="utf-8")
    con = duckdb.connect(str(home / "floor" / "warehouse.duckdb"))
    params = {"as_of": as_of, "max_visits": get_settings().max_daily_visits}
    started = time.perf_counter()
    totals = con.execute(
        f"select sum(sales_amount), sum(visits), sum(won_amount) from ({sql})", params
    ).fetchone()
    seconds = time.perf_counter() - started
    marts = con.execute(
        "select sum(sales_amount), sum(visits), sum(won_amount) from marts.kpi_company_monthly"
    ).fetchone()
    con.close()
    return {
        "seconds": round(seconds, 2),
        "matches_marts": [float(x or 0) for x in totals] == [float(x or 0) for x in marts],
    }


def rebuild_differences(home: Path, as_of: date) -> dict[str, list[int]]:
    """The daily (incremental) run's warehouse against the same raw data built whole: a copy
    rebuilt with `dbt run --full-refresh`, every relation compared (benchmarks.increment)."""
    work = _warehouse_copy(home, "rebuilt")
    _dbt_on_copy(work, as_of, "run", "--full-refresh")
    found = differences(home / "warehouse.duckdb", work / "warehouse.duckdb")
    shutil.rmtree(work, ignore_errors=True)
    return {relation: list(counts) for relation, counts in found.items()}


def bench_size(size: str, as_of: date, engines: list[str] | None = None) -> dict:
    org = prepare_org(size, as_of)
    home = BENCH / "work" / size
    shutil.rmtree(home, ignore_errors=True)
    (home / "landing").mkdir(parents=True)
    shutil.copytree(org / "base", home / "landing", dirs_exist_ok=True)
    # The full run: everything up to the day before, then last month's review packs.
    base_day = as_of - timedelta(days=1)
    last_month = (base_day.replace(day=1) - timedelta(days=1)).replace(day=1)
    full = summarise(run_job(home, base_day, "monthly_run", last_month.isoformat()))
    full_briefs = len([p for p in (home / "briefs").rglob("*.pdf")])
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    full_rows = con.execute("select sum(rows_loaded) from raw.ingested_files").fetchone()[0]
    con.close()
    floor = floor_seconds(home, as_of - timedelta(days=1))
    essential = essential_floor(home, as_of - timedelta(days=1))
    shutil.copytree(org / "increment", home / "landing", dirs_exist_ok=True)
    # The daily run: the last day's exports, then that day's exception digests.
    daily = summarise(run_job(home, as_of, "daily_run", as_of.isoformat()))
    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    daily_rows = con.execute("select sum(rows_loaded) from raw.ingested_files").fetchone()[0] - full_rows
    daily_briefs = len([p for p in (home / "briefs").rglob("*.pdf")]) - full_briefs
    con.close()
    # The daily run built incrementally: its warehouse must equal a full rebuild's.
    daily_vs_rebuild = rebuild_differences(home, as_of)
    if daily_vs_rebuild:
        raise SystemExit(f"{size}: the daily run's warehouse differs from a full rebuild: {daily_vs_rebuild}")
    reps, months = SIZES[size]
    result = {
        "size": size,
        "reps": reps,
        "months": months,
        "as_of": as_of.isoformat(),
        "generate_seconds": float((org / "generate_seconds.txt").read_text()),
        "full": full,
        "full_rows": int(full_rows),
        "ingest_rows_per_second": round(full_rows / max(full["stages"].get("ingest", 0), 1e-9)),
        "floor": floor,
        "essential_floor": essential,
        "transform_over_floor": round(full["stages"].get("dbt_build", 0) / max(floor["seconds"], 1e-9), 1),
        "daily": daily,
        "daily_rows": int(daily_rows),
        "daily_equals_full_rebuild": not daily_vs_rebuild,
        "monthly_packs": full_briefs,
        "daily_digests": daily_briefs,
        "seconds_per_monthly_pack": round(full["stages"].get("briefs", 0) / max(full_briefs, 1), 2),
        "machine": machine(),
    }
    if engines:
        from benchmarks.engines import bench_engines

        result["engines"] = bench_engines(home, as_of, engines)
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / f"{size}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def machine() -> dict:
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "duckdb": duckdb.__version__,
    }


DAILY_CORE = ("ingest", "dbt_build", "checks")


def table_rows(results: list[dict]) -> list[dict[str, str]]:
    rows = []
    for r in results:
        full, daily = r["full"]["stages"], r["daily"]["stages"]
        rows.append(
            {
                "size": r["size"],
                "reps×months": f"{r['reps']}×{r['months']}",
                "rows": f"{r['full_rows']:,}",
                "ingest s": f"{full.get('ingest', 0):.1f}",
                "ingest rows/s": f"{r['ingest_rows_per_second']:,}",
                "dbt s": f"{full.get('dbt_build', 0):.1f}",
                "floor s": f"{r['floor']['seconds']:.1f}",
                "essential s": f"{r['essential_floor']['seconds']:.2f}"
                + ("" if r["essential_floor"]["matches_marts"] else " (≠ marts)"),
                "dbt/floor": f"{r['transform_over_floor']}",
                "checks s": f"{full.get('checks', 0):.1f}",
                "briefs s (n)": f"{full.get('briefs', 0):.1f} ({r['monthly_packs']})",
                "end-to-end s": f"{r['full']['wall_seconds']:.1f}",
                "peak MB": f"{r['full']['peak_memory_mb']:,}",
                "peak in": _peak_stage(r["full"]),
                "daily e2e s": f"{r['daily']['wall_seconds']:.1f}",
                "daily ingest→checks s": f"{sum(daily.get(k, 0) for k in DAILY_CORE):.1f}",
            }
        )
    return rows


def _peak_stage(run: dict) -> str:
    """The stage during which the process tree peaked (results from before this was recorded: -)."""
    by_stage = run.get("peak_memory_mb_by_stage") or {}
    return max(by_stage, key=by_stage.get) if by_stage else "-"


def print_table(results: list[dict]) -> None:
    print_rows(table_rows(results))


def print_rows(rows: list[dict[str, str]]) -> None:
    if not rows:
        return
    widths = {key: max(len(key), *(len(row[key]) for row in rows)) for key in rows[0]}
    print("  ".join(key.rjust(width) for key, width in widths.items()))
    for row in rows:
        print("  ".join(row[key].rjust(width) for key, width in widths.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="S,M", help="comma-separated: S, M, L (default S,M)")
    parser.add_argument("--as-of", default="2026-06-30", help="the increment day (a working day)")
    parser.add_argument(
        "--skip-ingest-csv", action="store_true", help="leave out the one-large-CSV ingest benchmark"
    )
    parser.add_argument(
        "--engines", default="", help="comma-separated: postgres, spark (the dbt step there too)"
    )
    args = parser.parse_args(argv)
    engines = [engine.strip().lower() for engine in args.engines.split(",") if engine.strip()]
    as_of = date.fromisoformat(args.as_of)
    results = []
    for size in args.sizes.split(","):
        size = size.strip().upper()
        print(f"benchmarking {size} ({SIZES[size][0]} reps × {SIZES[size][1]} months)…", flush=True)
        results.append(bench_size(size, as_of, engines))
    print_table(results)
    if engines:
        from benchmarks.engines import table_rows as engine_rows

        print()
        print_rows([row for r in results for row in engine_rows(r["size"], r["engines"])])
    if not args.skip_ingest_csv:
        from benchmarks import ingest_csv

        print("benchmarking the ingest of one large CSV…", flush=True)
        ingest_csv.print_result(ingest_csv.bench(ingest_csv.ROWS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
