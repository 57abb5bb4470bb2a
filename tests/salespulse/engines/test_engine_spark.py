"""The dbt project on Apache Spark (issue #15, items 2-3): one ingest into DuckDB, its raw Parquet
mirror read by Spark (dbt-spark's `session` method: Spark in local mode inside the dbt process,
Java 17; dbt-spark and pyspark live in .venv-spark, apart from the main environment), `dbt build`
there with the `spark` target (every model and data test), and every staging, intermediate and
marts relation equal to DuckDB's: rows sorted, columns matched by name, money to the cent, other
numbers to 9 significant digits (tests/engine_compare.py). Spark keeps no incremental state (plain
Parquet tables cannot delete in place): its incremental models are built whole on every run
(dbt_project/macros/engine/increments.sql).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_support import ROOT, run_dbt
from engine_compare import (
    LAYERS,
    assert_briefs_and_checks_read_the_same,
    assert_layers_equal,
    build_mirrored_org,
)

from salespulse.dbt_project import SPARK_VENV_DBT
from salespulse.marts import MartsSource

pytestmark = pytest.mark.xdist_group("engine_spark")

AS_OF = date(2026, 3, 31)


def _spark_or_fail() -> None:
    """Spark needs its dbt environment and a Java 17+ runtime: without them the tests fail,
    saying so (never skip)."""
    if not SPARK_VENV_DBT.exists():
        pytest.fail(f"{SPARK_VENV_DBT} is missing: `make setup` makes .venv-spark (requirements-spark.txt)")
    java = shutil.which("java")
    version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr if java else ""
    found = re.search(r'version "(\d+)', version)
    if not found or int(found.group(1)) < 17:
        pytest.fail(
            "Spark needs a Java 17 or newer runtime (found: "
            + (version.strip().splitlines()[0] if version else "no java on PATH")
            + "); `make system-deps` installs Debian's openjdk-17-jre-headless"
        )


def _dbt_spark(tmp: Path, env: dict[str, str], args: tuple[str, ...]) -> subprocess.CompletedProcess:
    """dbt `args` with the spark target (the DuckDB path run_dbt sets is not read by it)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return run_dbt(
            tmp,
            tmp / "unused.duckdb",
            {"as_of_date": AS_OF.isoformat()},
            (*args, "--target", "spark"),
            dbt=SPARK_VENV_DBT,
        )


@pytest.fixture(scope="module")
def spark_build(tmp_path_factory):
    """(DuckDB warehouse, folder of Spark's relations as Parquet, dbt's output): one org, built
    by DuckDB from raw and by Spark from the raw Parquet mirror."""
    _spark_or_fail()
    tmp = tmp_path_factory.mktemp("spark")
    duck = build_mirrored_org(tmp, AS_OF)
    env = {
        "SALESPULSE_DBT_RAW_PARQUET_DIR": str(tmp / "raw_parquet"),
        "SALESPULSE_SPARK_HOME": str(tmp / "spark"),
    }
    built = _dbt_spark(tmp / "spark-dbt", env, ("build", "--exclude-resource-type", "unit_test"))
    assert built.returncode == 0, built.stdout[-6000:] + built.stderr[-2000:]
    dumped = subprocess.run(
        [
            str(SPARK_VENV_DBT.parent / "python"),
            str(ROOT / "tests" / "spark_dump.py"),
            str(tmp / "spark"),
            str(tmp / "dump"),
            *LAYERS,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert dumped.returncode == 0, dumped.stderr[-4000:]
    return duck, tmp / "dump", built.stdout, env, tmp


def test_every_model_on_spark_equals_duckdbs(spark_build):
    duck, dump, _, _, _ = spark_build

    def listed(layer: str) -> list[str]:
        return [path.name for path in (dump / layer).iterdir()] if (dump / layer).exists() else []

    def fetched(layer: str, model: str) -> tuple[list[str], list[tuple]]:
        with duckdb.connect() as con:
            result = con.execute(f"select * from read_parquet('{dump / layer / model}/*.parquet')")
            return [column[0] for column in result.description], result.fetchall()

    compared = assert_layers_equal(duck, listed, fetched)
    assert len(compared) > 60 and compared["marts.kpi_rep_monthly"] > 0
    assert compared["marts.dq_anomalies"] > 0 and compared["marts.audit_row_flow"] > 10
    # The rejected rows Spark parsed back (dates in the other CRM's formats) are DuckDB's too.
    assert compared["staging.stg_raw__daily_report_rejects"] > 0


def test_every_data_test_passes_on_spark(spark_build):
    _, _, said, _, _ = spark_build
    done = re.search(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", said)
    assert done, said[-2000:]
    passed, warned, errors, skipped = map(int, done.groups())
    # 69 models and over 300 data tests; the warnings are the data's own (as on DuckDB).
    assert errors == 0 and skipped == 0 and passed + warned > 350, done.group(0)


def test_spark_without_the_parquet_mirror_says_what_to_set(spark_build, tmp_path):
    _, _, _, env, _ = spark_build
    unset = {**env, "SALESPULSE_DBT_RAW_PARQUET_DIR": "", "SALESPULSE_SPARK_HOME": str(tmp_path / "spark")}
    run = _dbt_spark(tmp_path / "dbt", unset, ("run", "--select", "stg_raw__targets"))
    assert run.returncode != 0
    assert "SALESPULSE_RAW_PARQUET=1" in run.stdout and "SALESPULSE_DBT_RAW_PARQUET_DIR" in run.stdout
    assert os.path.isdir(tmp_path / "spark"), "the Spark home is where the profile puts it"


def test_salespulse_dbt_runs_the_spark_environments_dbt_for_the_spark_target(home, monkeypatch, tmp_path):
    from salespulse.config import load_settings
    from salespulse.dbt_project import SparkNotInstalledError, dbt_command, dbt_executable

    monkeypatch.delenv("SALESPULSE_DBT_TARGET", raising=False)
    monkeypatch.delenv("SALESPULSE_SPARK_DBT", raising=False)
    settings = load_settings()
    assert dbt_command(settings, ["build"])[0] == dbt_executable()
    assert dbt_command(settings, ["build", "--target", "spark"])[0] == str(SPARK_VENV_DBT)
    assert dbt_command(settings, ["build", "--target=postgres"])[0] == dbt_executable()
    monkeypatch.setenv("SALESPULSE_DBT_TARGET", "spark")
    settings = load_settings()
    assert dbt_command(settings, ["build"])[0] == str(SPARK_VENV_DBT)
    assert dbt_command(settings, ["build", "-t", "dev"])[0] == dbt_executable()
    monkeypatch.setenv("SALESPULSE_SPARK_DBT", str(tmp_path / "missing" / "dbt"))
    with pytest.raises(SparkNotInstalledError, match="make setup"):
        dbt_command(load_settings(), ["build"])


def test_the_dbt_unit_tests_pass_on_spark(spark_build):
    _, _, _, env, tmp = spark_build
    run = _dbt_spark(tmp / "spark-unit", env, ("test", "--select", "test_type:unit"))
    assert run.returncode == 0, run.stdout[-6000:]
    done = re.search(r"Done\. PASS=(\d+) WARN=\d+ ERROR=0", run.stdout)
    assert done and int(done.group(1)) >= 16, run.stdout[-2000:]


def test_briefs_and_checks_read_sparks_marts_as_duckdbs(spark_build):
    """Item 5: the briefs' data and recipients, the rule checks' findings and the GX mart suites'
    verdicts, read through salespulse.marts from Spark's warehouse folder, equal DuckDB's."""
    duck, _, _, _, tmp = spark_build
    read = assert_briefs_and_checks_read_the_same(MartsSource.spark(tmp / "spark" / "warehouse"), duck, AS_OF)
    briefs = [key for key in read if key[0] in ("daily", "weekly", "monthly") and len(key) == 3]
    assert len(briefs) >= 20, "every team, region and the company, in five periods"
    findings = {key[1]: len(value[1]) for key, value in read.items() if key[0] == "rule"}
    assert sum(1 for count in findings.values() if count) >= 8, findings
    assert all(value[0] == (True, None) and value[2] > 0 for key, value in read.items() if key[0] == "suite")


def test_salespulse_render_reads_the_briefs_from_spark(spark_build, tmp_path):
    """A user who builds the marts on Spark renders the briefs from there: SALESPULSE_MARTS_ENGINE
    =spark, `salespulse render` (a Dagster run of the brief asset), in a data home with no DuckDB
    warehouse at all."""
    _, _, _, _, tmp = spark_build
    home = tmp_path / "home"
    env = {
        **os.environ,
        "SALESPULSE_HOME": str(home),
        "SALESPULSE_MARTS_ENGINE": "spark",
        "SALESPULSE_SPARK_HOME": str(tmp / "spark"),
        "SALESPULSE_AS_OF": AS_OF.isoformat(),
    }
    env.pop("SALESPULSE_WAREHOUSE", None)
    salespulse = str(Path(sys.executable).parent / "salespulse")
    rendered = subprocess.run(
        [salespulse, "render", "team_weekly_brief", "--partition", "2026-03-23", "--send-email", "never"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert rendered.returncode == 0, rendered.stdout[-3000:] + rendered.stderr[-3000:]
    folder = home / "briefs" / "weekly" / "2026-W13"
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == 3, sorted(p.name for p in folder.iterdir()) if folder.exists() else "no briefs"
    assert all((page.with_suffix(".pdf")).is_file() for page in pages)
    assert "2026-W13" in pages[0].read_text(encoding="utf-8")
    assert not (home / "warehouse.duckdb").exists(), "nothing was read from (or made in) a DuckDB warehouse"
