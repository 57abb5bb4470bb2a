"""analytics.duckdb: analysts read a copy that a rebuild never locks, tears or blocks."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import duckdb

from salespulse.publish import publish_analytics
from salespulse.sql_shell import shell


def _warehouse(path, factor: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.execute("create schema if not exists marts")
    con.execute("create schema if not exists raw")
    con.execute(
        "create or replace table marts.kpi_rep_monthly as "
        f"select 'R' || i as rep_id, {factor} * i as sales_amount from range(1, 1001) t(i)"
    )
    con.execute(
        "create or replace table marts.kpi_team_monthly as "
        f"select 'T1' as team_id, sum({factor} * i) as sales_amount from range(1, 1001) t(i)"
    )
    con.execute(
        "create or replace view marts.v_total as select sum(sales_amount) as s from marts.kpi_rep_monthly"
    )
    con.execute("create or replace table raw.ingested_files as select 1 as file_id")
    return con


def test_publish_copies_the_marts_and_the_file_registry(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb", 1)
    result = publish_analytics(con, tmp_path / "analytics.duckdb")
    assert result["tables"] == 3
    reader = duckdb.connect(str(tmp_path / "analytics.duckdb"), read_only=True)
    assert reader.execute("select s from marts.v_total").fetchone()[0] == 500500
    assert reader.execute("select count(*) from audit.ingested_files").fetchone()[0] == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


POLLER = """
import os, sys, time, duckdb
target, stop = sys.argv[1], sys.argv[2]
while not os.path.exists(stop):
    con = duckdb.connect(target, read_only=True)
    reps, team = con.execute(
        "select (select sum(sales_amount) from marts.kpi_rep_monthly), "
        "(select sum(sales_amount) from marts.kpi_team_monthly)"
    ).fetchone()
    con.close()
    print(int(reps), int(team), flush=True)
    time.sleep(0.01)
"""

HOLDER = """
import os, sys, time, duckdb
target, stop = sys.argv[1], sys.argv[2]
held = duckdb.connect(target, read_only=True)  # an analyst's session left open all along
print("opened", flush=True)
while not os.path.exists(stop):
    held.execute("select count(*) from marts.kpi_rep_monthly").fetchone()
    time.sleep(0.05)
print("held", held.execute("select sum(sales_amount) from marts.kpi_rep_monthly").fetchone()[0], flush=True)
"""


def _start(script: str, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_readers_open_through_rebuilds_see_consistent_totals_and_no_error(tmp_path):
    target = tmp_path / "analytics.duckdb"
    stop = tmp_path / "stop"
    con = _warehouse(tmp_path / "warehouse.duckdb", 1)
    publish_analytics(con, target)
    holder = _start(HOLDER, target, stop)
    assert holder.stdout.readline().strip() == "opened"
    poller = _start(POLLER, target, stop)
    time.sleep(1.0)
    for factor in range(2, 7):
        con.close()
        con = _warehouse(tmp_path / "warehouse.duckdb", factor)  # the pipeline keeps writing
        publish_analytics(con, target)
        time.sleep(0.3)
    stop.touch()
    out, err = poller.communicate(timeout=60)
    assert poller.returncode == 0, err
    totals = [tuple(map(int, line.split())) for line in out.splitlines() if line]
    assert all(reps == team for reps, team in totals), "a reader saw rep and team totals of two builds"
    assert {reps for reps, _ in totals} <= {500500 * f for f in range(1, 7)}
    assert len({reps for reps, _ in totals}) >= 3, "new sessions pick up new builds"
    held_out, held_err = holder.communicate(timeout=60)
    assert holder.returncode == 0, held_err
    assert "held 500500" in held_out, "a session opened before the rebuilds keeps its snapshot"


def test_sql_shell_runs_statements_against_the_published_copy(tmp_path):
    con = _warehouse(tmp_path / "warehouse.duckdb", 1)
    publish_analytics(con, tmp_path / "analytics.duckdb")
    out = io.StringIO()
    script = io.StringIO(
        "select count(*) as reps\nfrom marts.kpi_rep_monthly;\nselect nope; select 'second' as two;\n.quit\n"
    )
    assert shell(tmp_path / "analytics.duckdb", stdin=script, out=out) == 1, (
        "a failed statement fails the exit"
    )
    text = out.getvalue()
    assert "1000" in text and "error:" in text and "second" in text
    assert shell(tmp_path / "missing.duckdb") == 1
    out = io.StringIO()
    query = "select rep_id, sales_amount from marts.kpi_rep_monthly order by sales_amount"
    assert shell(tmp_path / "analytics.duckdb", command=query, out=out, as_csv=True) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "rep_id,sales_amount" and len(lines) == 1001, "CSV carries every row"
    out = io.StringIO()
    assert shell(tmp_path / "analytics.duckdb", command=query, out=out, max_rows=50) == 0
    assert "1,000 rows, first 50 shown" in out.getvalue()
