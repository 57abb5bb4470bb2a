"""`salespulse sql`: every table listed, columns described, and a closed pipe ends quietly."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import duckdb
import pytest

from salespulse.config import PROJECT_ROOT
from salespulse.publish import publish_analytics
from salespulse.sql_shell import shell

TABLES = 32  # as many as the real analytics.duckdb has: the box renderer elided 12 of them


@pytest.fixture
def analytics(tmp_path):
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("create schema marts; create schema raw")
    for n in range(TABLES - 1):
        con.execute(f"create table marts.t{n:02d} as select range as id from range({n + 1})")
        con.execute(f"comment on table marts.t{n:02d} is 'Table {n}. More text after the first sentence.'")
    con.execute(
        "create table marts.kpi_rep_monthly as "
        "select 'R' || range as rep_id, 'name ' || range as rep_name, range * 1.5 as sales_amount "
        "from range(5000)"
    )
    con.execute("comment on table marts.kpi_rep_monthly is 'Rep monthly KPIs: one row per rep and month.'")
    con.execute("comment on column marts.kpi_rep_monthly.rep_id is 'Sales rep id (工号).'")
    con.execute(
        "comment on column marts.kpi_rep_monthly.sales_amount is "
        "'销售额 sales amount (CNY): sum of amount of the orders not cancelled whose signed_date is in "
        "the period (and not after the as-of date). 0 when there are none.'"
    )
    con.execute("create table raw.ingested_files as select 1 as file_id")
    publish_analytics(
        con, tmp_path / "analytics.duckdb", {"audit.ingested_files": ("The file registry.", {})}
    )
    con.close()
    return tmp_path / "analytics.duckdb"


def test_tables_lists_every_table_with_what_it_holds(analytics):
    out = io.StringIO()
    assert shell(analytics, stdin=io.StringIO(".tables\n"), out=out) == 0
    text = out.getvalue()
    for n in range(TABLES - 1):
        assert f"t{n:02d}" in text, f"marts.t{n:02d} hidden"
    assert "kpi_rep_monthly" in text and "ingested_files" in text
    assert "Table 7." in text and "More text" not in text, "the first sentence of each description"
    out = io.StringIO()
    assert shell(analytics, command=".tables", out=out, as_csv=True) == 0
    assert len(out.getvalue().splitlines()) == TABLES + 2  # header, 32 marts tables, the audit table


def test_describe_prints_each_columns_meaning(analytics):
    for command in (
        "describe kpi_rep_monthly",
        "describe marts.kpi_rep_monthly;",
        ".describe kpi_rep_monthly",
    ):
        out = io.StringIO()
        assert shell(analytics, command=command, out=out) == 0, command
        text = out.getvalue()
        assert text.startswith("marts.kpi_rep_monthly\n  Rep monthly KPIs: one row per rep and month.")
        assert "rep_id" in text and "Sales rep id (工号)." in text
        assert "not cancelled whose signed_date" in text, "long descriptions are wrapped, not cut"
    out = io.StringIO()
    assert shell(analytics, command="describe kpi_rep_monthly", out=out, as_csv=True) == 0
    assert out.getvalue().splitlines()[:2] == [
        "column_name,data_type,description",
        "rep_id,VARCHAR,Sales rep id (工号).",
    ]
    out = io.StringIO()
    assert shell(analytics, stdin=io.StringIO("describe kpi_rep_monthly;\n.quit\n"), out=out) == 0
    assert "Sales rep id" in out.getvalue()
    out = io.StringIO()
    assert shell(analytics, command="describe no_such_table", out=out) == 1
    assert "no table" in out.getvalue()
    out = io.StringIO()
    assert shell(analytics, command="describe select 1 as x", out=out) == 0, (
        "DuckDB's own DESCRIBE of a query"
    )


def test_results_show_every_row_up_to_the_limit(analytics):
    out = io.StringIO()
    assert shell(analytics, command="select * from marts.t30", out=out, max_rows=1000) == 0
    assert all(f"│ {n:>5} │" in out.getvalue() for n in range(31)), "no row elided in the middle"
    out = io.StringIO()
    assert shell(analytics, command="select * from marts.kpi_rep_monthly", out=out, max_rows=100) == 0
    assert "(5,000 rows, first 100 shown" in out.getvalue()


def test_a_closed_pipe_ends_quietly(analytics, tmp_path):
    env = {**os.environ, "SALESPULSE_HOME": str(tmp_path)}
    salespulse = f"{sys.executable} -m salespulse.cli"
    for args in (
        "--csv -c 'select * from marts.kpi_rep_monthly'",
        "-c 'select * from marts.kpi_rep_monthly'",
    ):
        result = subprocess.run(
            ["bash", "-c", f"set -o pipefail; {salespulse} sql {args} | head -3"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert len(result.stdout.splitlines()) == 3
        assert result.stderr == "", "no traceback, no message"
        # 141 (128 + SIGPIPE, as `cat` ends) when the pipe closed before the last write; 0 when
        # everything fitted into the pipe's buffer first.
        assert result.returncode in (0, 141)
