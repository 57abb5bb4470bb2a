"""The dbt step on other engines, beside DuckDB (`make bench BENCH_ENGINE=spark,postgres`).

For a benchmarked size, after its runs: the warehouse's raw tables mirrored to Parquet (as
`SALESPULSE_RAW_PARQUET=1` does), then the whole dbt project built from the mirror alone with a
full refresh (`dbt build`, every model and data test; the unit tests run on DuckDB only) on
each engine in turn:

- duckdb: into an empty DuckDB file, raw read from the Parquet files (`raw_parquet_dir`);
- postgres: a throwaway PostgreSQL cluster (initdb/pg_ctl, as the tests make it), raw loaded
  by `salespulse load-postgres`, then the `postgres` target;
- spark: the `spark` target (Spark in local mode inside .venv-spark's dbt, its warehouse under
  the work folder).

Each reports dbt's wall time (process start to exit: Python, dbt's parse, Spark's JVM start),
dbt's own elapsed time and the seconds its models and tests took (summed over the threads), and
the peak memory of the dbt process tree (Spark's JVM is a child of it; Postgres's server is not).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from salespulse.config import PROJECT_ROOT
from salespulse.ingest.parquet import sync_raw_parquet

ENGINES = ("duckdb", "postgres", "spark")
TARGETS = {"duckdb": "dev", "postgres": "postgres", "spark": "spark"}


def _dbt_build(work: Path, engine: str, as_of: date, env: dict[str, str]) -> dict:
    """`dbt build --full-refresh` with the engine's target, timed; dbt's run_results summed."""
    from benchmarks.run import PeakMemory
    from salespulse.config import get_settings
    from salespulse.dbt_project import dbt_executable_for, dbt_vars

    target = work / f"dbt-{engine}"
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            dbt_executable_for(get_settings(), ["--target", TARGETS[engine]]),
            "build",
            "--quiet",
            "--full-refresh",
            "--exclude-resource-type",
            "unit_test",
            "--target",
            TARGETS[engine],
            "--project-dir",
            "dbt_project",
            "--profiles-dir",
            "dbt_project",
            "--target-path",
            str(target / "target"),
            "--log-path",
            str(target / "logs"),
            "--vars",
            json.dumps(dbt_vars(get_settings(), as_of)),
        ],
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    memory = PeakMemory(process.pid)
    said, _ = process.communicate()
    wall = time.perf_counter() - started
    peak = memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"dbt build on {engine} failed:\n{said[-4000:]}")
    results = json.loads((target / "target" / "run_results.json").read_text())
    seconds: dict[str, float] = {"model": 0.0, "test": 0.0}
    for result in results["results"]:
        kind = result["unique_id"].split(".")[0]
        if kind in seconds:
            seconds[kind] += result["execution_time"]
    return {
        "wall_seconds": round(wall, 2),
        "dbt_elapsed_seconds": round(results["elapsed_time"], 2),
        "model_seconds": round(seconds["model"], 2),
        "test_seconds": round(seconds["test"], 2),
        "nodes": len(results["results"]),
        "peak_memory_mb": round(peak / 2**20),
    }


def _postgres(work: Path, mirror: Path, as_of: date) -> dict:
    """A throwaway Postgres: the mirror loaded, the project built there."""
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))  # the tests' throwaway-cluster helper
    from postgres_server import PG_PASSWORD, PG_USER, TempPostgres

    from salespulse.engines.postgres import load_raw

    server = TempPostgres()
    try:
        server.start()
        server.create_database("salespulse_bench")
        connection = {
            "host": "127.0.0.1",
            "port": server.port,
            "user": PG_USER,
            "password": PG_PASSWORD,
            "dbname": "salespulse_bench",
        }
        started = time.perf_counter()
        loaded = load_raw(mirror, connection)
        load_seconds = time.perf_counter() - started
        env = {
            "SALESPULSE_PG_HOST": "127.0.0.1",
            "SALESPULSE_PG_PORT": str(server.port),
            "SALESPULSE_PG_USER": PG_USER,
            "SALESPULSE_PG_PASSWORD": PG_PASSWORD,
            "SALESPULSE_PG_DB": "salespulse_bench",
        }
        built = _dbt_build(work, "postgres", as_of, env)
        return {"load_seconds": round(load_seconds, 2), "rows_loaded": sum(loaded.tables.values()), **built}
    finally:
        server.stop()


def bench_engines(home: Path, as_of: date, engines: list[str]) -> dict:
    """The dbt step of `home`'s warehouse on DuckDB and on each of `engines`, from one mirror."""
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        raise SystemExit(f"BENCH_ENGINE: unknown engine(s) {unknown}; known: {', '.join(ENGINES[1:])}")
    work = home / "engines"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    mirror = work / "raw_parquet"
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        synced = sync_raw_parquet(con, mirror)
    results: dict[str, dict] = {"raw_rows": synced.rows}
    from_files = {"SALESPULSE_DBT_RAW_PARQUET_DIR": str(mirror)}
    results["duckdb"] = _dbt_build(
        work, "duckdb", as_of, {**from_files, "SALESPULSE_WAREHOUSE": str(work / "duckdb.duckdb")}
    )
    for engine in engines:
        if engine == "postgres":
            results["postgres"] = _postgres(work, mirror, as_of)
        elif engine == "spark":
            results["spark"] = _dbt_build(
                work, "spark", as_of, {**from_files, "SALESPULSE_SPARK_HOME": str(work / "spark")}
            )
    shutil.rmtree(work, ignore_errors=True)
    return results


def table_rows(size: str, results: dict) -> list[dict[str, str]]:
    rows = []
    for engine in ENGINES:
        if engine not in results:
            continue
        r = results[engine]
        rows.append(
            {
                "size": size,
                "engine": engine,
                "raw rows": f"{results['raw_rows']:,}",
                "load s": f"{r['load_seconds']:.1f}" if "load_seconds" in r else "-",
                "dbt wall s": f"{r['wall_seconds']:.1f}",
                "dbt elapsed s": f"{r['dbt_elapsed_seconds']:.1f}",
                "models s": f"{r['model_seconds']:.1f}",
                "tests s": f"{r['test_seconds']:.1f}",
                "peak MB": f"{r['peak_memory_mb']:,}",
            }
        )
    return rows
