"""Ingest of one large daily-report CSV, UTF-8 and GBK, against DuckDB's own CSV reader.

    python -m benchmarks.ingest_csv [--rows 1500000]

The file has the demo generator's Chinese headers and ISO dates (2,000 reps, one report a day
each; cached in benchmarks/cache/ingest_csv/). Each encoding is landed in a fresh data home
and loaded by `Ingestor.run()`, as the ingest asset loads it: hashing, the reader process
(decoding, CSV parsing), header mapping and day/month order, the typing query with every row
rule, the insert, the file registry and the archive copy. Great Expectations' validation of
the new rows, which the asset runs afterwards, is not included. "load" is the typing query,
the insert and the registry (`Ingestor.load`); "read" is the rest. The floor is DuckDB's
`read_csv` of the same UTF-8 file into a table of text. Every row must load, and the visits
must add up to what the generator wrote. Results: a table on stdout and
benchmarks/results/ingest_csv.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from benchmarks.run import BENCH, PeakMemory, machine
from salespulse.config import PROJECT_ROOT

HEADER = "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注"
NOTES = ["拜访客户，推进方案", "电话跟进老客户", "", "整理报价单; 明天回访", "参加培训"]
REPS = 2000
FIRST_DAY = date(2024, 1, 1)
AS_OF = "2026-06-30"
ROWS = 1_500_000


def generate(rows: int, folder: Path) -> dict:
    """The UTF-8 and GBK files of `rows` reports and what they add up to (cached)."""
    folder.mkdir(parents=True, exist_ok=True)
    meta_path = folder / f"daily_{rows}.json"
    if meta_path.exists():
        return json.loads(meta_path.read_text())
    rng = random.Random(7)
    lines = [HEADER]
    visits_total = 0
    for i in range(rows):
        rep, day = i % REPS, (FIRST_DAY + timedelta(days=i // REPS)).isoformat()
        second = rng.randrange(8 * 3600, 23 * 3600)
        visits, calls, leads = rng.randrange(6), rng.randrange(12), rng.randrange(3)
        visits_total += visits
        lines.append(
            f"R{rep:05d},张{rep},{day},{day} {second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d},"
            f"{visits},{calls},{leads},{NOTES[i % len(NOTES)]}"
        )
    text = "\r\n".join(lines) + "\r\n"
    files = {}
    for encoding in ("utf-8", "gbk"):
        path = folder / f"daily_reports_{rows}_{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        files[encoding] = path.name
    meta = {"rows": rows, "visits": visits_total, "files": files}
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return meta


def ingest_once(path: Path, rows: int, visits: int) -> dict:
    """Land `path` in a fresh data home and load it with the Ingestor; seconds and checks."""
    from salespulse.config import get_settings
    from salespulse.contracts import load_contracts
    from salespulse.ingest.isolate import ReaderPool
    from salespulse.ingest.loader import Ingestor
    from salespulse.ingest.read import ReadLimits

    loading = {"seconds": 0.0}

    class TimedIngestor(Ingestor):
        def load(self, batch):
            started = time.perf_counter()
            try:
                super().load(batch)
            finally:
                loading["seconds"] += time.perf_counter() - started

    home = Path(tempfile.mkdtemp(prefix="salespulse-ingest-bench-"))
    saved = dict(os.environ)
    try:
        os.environ.update(
            SALESPULSE_HOME=str(home), SALESPULSE_AS_OF=AS_OF, SALESPULSE_LANDING_SETTLE_SECONDS="0"
        )
        os.environ.pop("SALESPULSE_WAREHOUSE", None)
        get_settings.cache_clear()
        settings = get_settings()
        settings.ensure_dirs()
        contracts = load_contracts(PROJECT_ROOT / "models")
        landed = settings.landing_dir / "daily_reports" / path.name
        landed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, landed)
        con = duckdb.connect(str(settings.warehouse_path))
        # Reader processes are started (and their imports done) before the clock starts, as in a
        # long-running Dagster code server that has read files before.
        readers = ReaderPool(contracts, ReadLimits.from_settings(settings), settings.read_workers)
        warm = home / "warm.csv"
        warm.write_text(HEADER + "\n", encoding="utf-8")
        for ticket in [readers.submit(warm.name, warm, "daily_reports") for _ in range(readers.size)]:
            readers.result(ticket)
        memory = PeakMemory(os.getpid())
        started = time.perf_counter()
        report = TimedIngestor(con, settings, contracts, readers=readers).run()
        seconds = time.perf_counter() - started
        peak = memory.stop()
        readers.close()
        (result,) = report.files
        loaded_visits = con.execute("select sum(visits) from raw.daily_reports").fetchone()[0]
        con.close()
        if result.rows_loaded != rows or result.rows_rejected or loaded_visits != visits:
            raise SystemExit(
                f"{path.name}: loaded {result.rows_loaded:,} of {rows:,} rows "
                f"({result.rows_rejected:,} rejected: {dict(result.reject_reasons)}), "
                f"visits {loaded_visits} instead of {visits}"
            )
        return {
            "file": path.name,
            "megabytes": round(path.stat().st_size / 2**20, 1),
            "encoding_detected": result.encoding,
            "seconds": round(seconds, 2),
            "read_seconds": round(seconds - loading["seconds"], 2),
            "load_seconds": round(loading["seconds"], 2),
            "rows_per_second": round(rows / seconds),
            "peak_memory_mb": round(peak / 2**20),
        }
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()
        shutil.rmtree(home, ignore_errors=True)


def duckdb_floor(path: Path, rows: int) -> dict:
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(
        "create table raw_text as select * from read_csv($path, all_varchar = true, header = true)",
        {"path": str(path)},
    )
    seconds = time.perf_counter() - started
    assert con.execute("select count(*) from raw_text").fetchone()[0] == rows
    return {"seconds": round(seconds, 2), "rows_per_second": round(rows / seconds)}


def bench(rows: int) -> dict:
    folder = BENCH / "cache" / "ingest_csv"
    meta = generate(rows, folder)
    runs = {
        encoding: ingest_once(folder / name, rows, meta["visits"]) for encoding, name in meta["files"].items()
    }
    result = {
        "rows": rows,
        "utf8": runs["utf-8"],
        "gbk": runs["gbk"],
        "gbk_over_utf8": round(runs["gbk"]["seconds"] / runs["utf-8"]["seconds"], 2),
        "duckdb_read_csv_utf8": duckdb_floor(folder / meta["files"]["utf-8"], rows),
        "measured_at": datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
    }
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / "ingest_csv.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


def print_result(result: dict) -> None:
    print(f"one daily-report CSV of {result['rows']:,} rows:")
    for label, key in (("UTF-8", "utf8"), ("GBK", "gbk")):
        r = result[key]
        print(
            f"  {label:5} {r['megabytes']:6.1f} MB  {r['seconds']:6.2f} s  (read {r['read_seconds']:.2f}, "
            f"load {r['load_seconds']:.2f})  {r['rows_per_second']:>10,} rows/s  "
            f"peak {r['peak_memory_mb']:,} MB"
        )
    floor = result["duckdb_read_csv_utf8"]
    print(
        f"  GBK/UTF-8 {result['gbk_over_utf8']}×; DuckDB read_csv alone: {floor['rows_per_second']:,} rows/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args(argv)
    print_result(bench(args.rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
