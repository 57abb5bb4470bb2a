"""Every command the README documents works as written, from a plain shell in the repo.

The README's commands (lines of its bash blocks, and inline code that starts like a command)
must each be listed below: run as written, run with a placeholder filled in, served (a server
that must answer, then is stopped), or skipped with the reason. A command added to the README
without a line here fails the test. They run in order, each in a fresh `bash` with a clean
environment: PATH without the virtualenv, HOME, and the two documented variables the test needs
(SALESPULSE_HOME for a data home of its own, SALESPULSE_AS_OF for the demo org's date), no
DAGSTER_HOME. `salespulse` commands run after `. .venv/bin/activate`, as the README says.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from salespulse.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
ACTIVATE = ". .venv/bin/activate"
COMMAND_STARTS = ("make ", "salespulse ", "dagster ", "dbt ", ".venv/bin/", ACTIVATE, "SALESPULSE_HOME=")
AS_OF = "2026-06-30"

RUN, SUBST, SERVE, SKIP = "run", "subst", "serve", "skip"
# README command → (how, detail): the order here is the order they run in.
COMMANDS: dict[str, tuple[str, str]] = {
    ACTIVATE: (RUN, ""),  # prefixed to every salespulse command below
    "make setup": (RUN, ""),
    "salespulse --help": (RUN, ""),
    "salespulse COMMAND --help": (SUBST, "salespulse render --help"),
    "salespulse generate --seed 7 --as-of 2026-06-30 --reps 8 --months 4": (RUN, ""),
    "salespulse validate path/to/export.csv --kind orders": (
        SUBST,
        "salespulse validate {orders} --kind orders",
    ),
    "salespulse contracts": (RUN, ""),
    "salespulse kpis --check": (RUN, ""),
    "salespulse kpis": (
        SKIP,
        "writes into the repo's dbt project; --check runs here, test_kpi_catalog.py writes a copy",
    ),
    "salespulse sources --check": (RUN, ""),
    "salespulse sources": (
        SKIP,
        "writes into the repo's dbt project; --check runs here, test_contracts.py writes a copy",
    ),
    "salespulse rules --check": (RUN, ""),
    "salespulse rules": (
        SKIP,
        "writes into the repo's dbt project, .env.example and README; --check runs here, "
        "test_thresholds.py writes a copy",
    ),
    # As written they write to /tmp/other, shared by whoever runs them: the test's own folder.
    "salespulse generate --style other-crm --as-of 2026-06-30 --out /tmp/other": (
        SUBST,
        "salespulse generate --style other-crm --as-of 2026-06-30 --out {tmp}/other",
    ),
    "salespulse validate /tmp/other/landing/orders/order_lines_2026-06-30.csv": (
        SUBST,
        "salespulse validate {tmp}/other/landing/orders/order_lines_2026-06-30.csv",
    ),
    # As written it rewrites the repo's expectations/: the test writes them elsewhere.
    "salespulse expectations": (SUBST, "salespulse expectations --dir {tmp}/expectations"),
    "make run": (RUN, ""),
    "salespulse run --as-of 2026-06-30 --verbose": (RUN, ""),
    "make sql": (RUN, ""),
    "salespulse sql": (RUN, ""),
    'salespulse sql -c "describe marts.kpi_team_monthly"': (RUN, ""),
    'salespulse sql --csv -c "select * from marts.kpi_rep_daily" | head -3': (RUN, ""),
    "salespulse summary": (RUN, ""),
    "salespulse reprocess --quarantined": (RUN, ""),
    "salespulse reprocess FILE_ID": (SUBST, "salespulse reprocess 1"),
    'make dbt ARGS="build --select kpi_rep_monthly"': (RUN, ""),
    "salespulse dbt --as-of 2026-05-31 build --select kpi_rep_monthly": (RUN, ""),
    "salespulse dbt build --full-refresh --select <model>": (
        SUBST,
        "salespulse dbt build --full-refresh --select fct_opportunity_history",
    ),
    "make render BRIEF=team_weekly_brief PARTITION=2026-03-09": (RUN, ""),
    "salespulse render monthly_review_pack --partition 2026-05 --send-email never --only company": (RUN, ""),
    "make docs": (SERVE, "SALESPULSE_DOCS_PORT={port} make docs"),
    "make dev DEV_PORT=3017": (SERVE, "make dev DEV_PORT={port}"),
    "salespulse dagster run list --limit 5": (RUN, ""),
    "make backfill JOB=weekly_run FROM=2026-01-05 TO=2026-03-09": (RUN, ""),
    "make backfill JOB=weekly_briefs FROM=2026-01-05 TO=2026-03-09": (RUN, ""),
    "make dev": (SKIP, "served above as `make dev DEV_PORT=…` (port 3000 may be taken here)"),
    "make demo": (SKIP, "the same commands as generate + make run + make render above, at full size"),
    "SALESPULSE_HOME=/srv/sales make demo": (SKIP, "make demo in another data home"),
    "make test": (SKIP, "this test runs inside it"),
    "make lint": (SKIP, "make test runs it"),
    "make format": (SKIP, "rewrites the repo's files"),
    "make bench": (SKIP, "minutes per size; benchmarks/run.py"),
    "make wheel": (
        SKIP,
        "tests/project/test_wheel.py builds the wheel the same way (uv build) and installs it",
    ),
    "salespulse init": (RUN, ""),
    "make latency": (SKIP, "minutes under dagster dev; its result is in the README"),
    "make render": (SKIP, "the target's name in prose; run above with its variables"),
    "make backfill": (SKIP, "the target's name in prose; run above with its variables"),
    "make dbt": (SKIP, "the target's name in prose; run above with its variables"),
    "dagster dev": (SKIP, "prose: what make latency starts; make dev runs it above"),
    "dbt build": (SKIP, "prose: dbt's command, named, not to run"),
    "salespulse run": (SKIP, "prose: the command's name; run above with its options"),
    "salespulse validate": (SKIP, "prose: the command's name; run above with its arguments"),
    "salespulse reprocess": (SKIP, "prose: the command's name; run above with its arguments"),
    "salespulse dbt …": (SKIP, "prose: `make dbt`'s arguments given to salespulse dbt, as run above"),
    "SALESPULSE_WAREHOUSE=/elsewhere/warehouse.duckdb SALESPULSE_DBT_RAW_PARQUET_DIR=/data/salespulse/"
    "raw_parquet salespulse dbt build": (
        SKIP,
        "a second warehouse fed by the Parquet mirror: "
        "tests/salespulse/ingest/test_raw_parquet.py builds one",
    ),
    "salespulse load-postgres": (
        SKIP,
        "needs a PostgreSQL server: tests/salespulse/engines/test_engine_postgres.py runs it on a "
        "throwaway one",
    ),
    "salespulse dbt": (SKIP, "prose: the command's name; `salespulse dbt …` is run above"),
    "salespulse render": (
        SKIP,
        "prose: the command's name; run above, and from Spark's marts in "
        "tests/salespulse/engines/test_engine_spark.py",
    ),
    "make system-deps": (SKIP, "make setup runs it (every make target that sets up)"),
}
# What is typed into the interactive ones.
STDIN = {
    "make sql": ".tables\n.quit\n",
    "salespulse sql": "select count(*) as marts from duckdb_tables() where schema_name = 'marts';\n",
}
# `salespulse validate` exits 1 when the export has problems (the demo plants some, the other CRM's
# files need their overrides first), `salespulse reprocess` when a file stays quarantined (the demo
# plants a broken one): that is their answer.
EXIT_CODES = {"salespulse validate": (0, 1), "salespulse reprocess": (0, 1)}


def readme_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            command = re.split(r"\s{2,}#", line)[0].strip()
            if command and not command.startswith("#"):
                found.append(command)
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for span in re.findall(r"`([^`]+)`", prose):
        span = re.sub(r"\s+", " ", span).strip()
        if span.startswith(COMMAND_STARTS):
            found.append(span)
    return list(dict.fromkeys(found))


def test_every_readme_command_is_listed_here():
    documented = readme_commands()
    missing = [command for command in documented if command not in COMMANDS]
    assert not missing, f"README commands this test does not run or explain: {missing}"
    gone = [command for command in COMMANDS if command not in documented]
    assert not gone, f"listed here but no longer in the README: {gone}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(home)),
        "LANG": "C.UTF-8",
        "SALESPULSE_HOME": str(home),
        "SALESPULSE_AS_OF": AS_OF,
    }


def _shell(command: str) -> str:
    activate = command.startswith(("salespulse", "dagster", "dbt"))
    return f"{ACTIVATE} && {command}" if activate else command


def _run(command: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", _shell(command)],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=900,
    )


def _serve(command: str, env: dict[str, str], port: int, path: str = "/") -> None:
    """Start a server command, wait until it answers on `port`, stop it and its children."""
    process = subprocess.Popen(
        ["bash", "-c", command],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.time() + 300
        while True:
            assert process.poll() is None, f"`{command}` exited with {process.returncode}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
                    assert response.status == 200
                    return
            except OSError:
                assert time.time() < deadline, f"`{command}` did not answer on port {port}"
                time.sleep(1)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _instance_runs(home: Path) -> list[dict]:
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        return [
            {"job": r.dagster_run.job_name, "status": r.dagster_run.status.value, "tags": r.dagster_run.tags}
            for r in instance.get_run_records()
        ]


def _forget_stopped_daemon(home: Path) -> None:
    """`make dev` was stopped, and its daemon with it. A daemon leaves no mark when it stops: its
    last heartbeat reads as a running daemon for a minute (salespulse.instance.daemon_running), and
    `make backfill` right after would say the daemon launches the runs."""
    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(home / "dagster")) as instance:
        instance.wipe_daemon_heartbeats()


def _check_after(command: str, result: subprocess.CompletedProcess, home: Path) -> None:
    """What each command must have done, beyond exiting 0."""
    out = result.stdout
    if command.startswith("salespulse validate /tmp/other"):
        assert "CANNOT LOAD" in out or "PROBLEMS FOUND" in out, "the other CRM's files need overrides"
    elif command.startswith("salespulse validate"):
        assert "rows:" in out and ("OK" in out or "PROBLEMS FOUND" in out)
    elif command.startswith("salespulse reprocess"):
        assert "loaded=" in out or "nothing to reprocess" in out
    elif command == "make run":
        runs = _instance_runs(home)
        assert [r["status"] for r in runs if r["job"] == "salespulse_pipeline"] == ["SUCCESS"]
        with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
            undescribed = con.execute(
                "select table_name || '.' || column_name from duckdb_columns() "
                "where schema_name = 'marts' and coalesce(comment, '') = ''"
            ).fetchall()
            assert not undescribed, f"columns without a description: {undescribed[:10]}"
            assert not con.execute(
                "select * from duckdb_columns() where schema_name = 'marts' and comment ilike '%SPEC §%'"
            ).fetchall(), "descriptions are definitions, not references to a document"
            names = con.execute(
                "select count(*), count(rep_name), count(team_name) from marts.kpi_rep_monthly "
                "where team_id is not null"
            ).fetchone()
            assert names[0] > 0 and names[0] == names[1] == names[2], "names beside the ids"
    elif command == "make sql":
        assert out.count("│ marts ") >= 30 and "kpi_rep_monthly" in out and "dq_check_digest" in out
    elif command == "salespulse sql":
        assert "marts" in out
    elif command.startswith("salespulse sql -c"):
        assert "marts.kpi_team_monthly" in out and "mom_sales_growth" in out
        assert "month-on-month sales growth" in out, "each column's meaning"
    elif command.startswith("salespulse sql --csv"):
        assert len(out.splitlines()) == 3 and result.stderr == ""
    elif command.startswith("make render"):
        assert any(r["tags"].get("dagster/partition") == "2026-03-09" for r in _instance_runs(home))
        assert list((home / "briefs" / "weekly" / "2026-W11").glob("*.pdf")), "the week of Monday 2026-03-09"
    elif command.startswith("salespulse render"):
        files = sorted((home / "briefs" / "monthly" / "2026-05").iterdir())
        assert [p.suffix for p in files] == [".html", ".pdf", ".xlsx"], "--only company: one pack"
    elif command.startswith("make backfill"):
        from dagster import DagsterInstance

        with DagsterInstance.from_config(str(home / "dagster")) as instance:
            backfills = instance.get_backfills()
        job = re.search(r"JOB=(\w+)", command).group(1)
        assert any(
            len(b.partition_names or []) == 10 and job in str(b.partition_set_origin) for b in backfills
        )
        assert "no Dagster daemon is running" in out
    elif command.startswith(("make dbt", "salespulse dbt")):
        results = json.loads((home / "dbt" / "target" / "run_results.json").read_text())
        model = "fct_opportunity_history" if "--full-refresh" in command else "kpi_rep_monthly"
        assert any(r["unique_id"] == f"model.salespulse.{model}" for r in results["results"])
        assert bool(results["args"].get("full_refresh")) == ("--full-refresh" in command)
        as_of = "2026-05-31" if "--as-of" in command else AS_OF
        assert results["args"]["vars"]["as_of_date"] == as_of
    elif command == "salespulse dagster run list --limit 5":
        assert "salespulse_pipeline" in out or "__ASSET_JOB" in out


@pytest.mark.xdist_group("readme")
def test_readme_commands_work_as_written_from_a_plain_shell(tmp_path):
    home = tmp_path / "home"
    env = _clean_env(home)
    assert "DAGSTER_HOME" not in env
    documented = set(readme_commands())
    for command, (how, detail) in COMMANDS.items():
        if how == SKIP or command == ACTIVATE or command not in documented:
            continue
        orders = (
            next(iter(sorted((home / "landing" / "orders").glob("*.csv"))), None) if home.exists() else None
        )
        if how == SERVE:
            port = _free_port()
            _serve(detail.format(port=port), env, port)
            if command == "make docs":
                assert (home / "dbt" / "docs" / "catalog.json").exists(), "docs with the analytics catalog"
            if command.startswith("make dev"):
                _forget_stopped_daemon(home)
            continue
        actual = detail.format(orders=orders, tmp=tmp_path) if how == SUBST else command
        result = _run(actual, env, STDIN.get(command))
        allowed = next((codes for start, codes in EXIT_CODES.items() if command.startswith(start)), (0,))
        assert result.returncode in allowed, (
            f"`{actual}` exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
        assert "Traceback" not in result.stderr, f"`{actual}`:\n{result.stderr[-3000:]}"
        _check_after(command, result, home)
