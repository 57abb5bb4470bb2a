"""The project as a wheel, as someone deploying it installs it: built, installed with the locked
dependencies into a new virtual environment, and run from a folder that is not the repository.
The runtime files (dbt project, input contracts, brief templates, Great Expectations suites,
Dagster instance configs) and dbt's prepared manifest travel inside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from salespulse.config import PROJECT_ROOT
from salespulse.dbt_project import MANIFEST_PATH

UV = Path(sys.executable).parent / "uv"


def _run(command: list, cwd: Path, env: dict | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.mark.xdist_group("wheel")
def test_the_wheel_installs_and_runs_the_pipeline_away_from_the_repository(tmp_path):
    assert MANIFEST_PATH.is_file(), "make setup prepares dbt's manifest, which the wheel carries"
    dist = tmp_path / "dist"
    _run([UV, "build", "--wheel", "--out-dir", dist, PROJECT_ROOT], cwd=tmp_path)
    (wheel,) = dist.glob("salespulse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "salespulse/_resources/dbt_project/dbt_project.yml",
        "salespulse/_resources/dbt_project/target/manifest.json",
        "salespulse/_resources/models/orders.yaml",
        "salespulse/_resources/reports/templates/brief.html.j2",
        "salespulse/_resources/expectations/orders.json",
        "salespulse/_resources/dagster.yaml",
        "pipelines/run_config/quiet.yaml",
    ):
        assert expected in names, f"{expected} is not in the wheel"
    assert not [n for n in names if "/target/" in n and not n.endswith("manifest.json")], "only the manifest"
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "data/"))]

    venv = tmp_path / "venv"
    _run([UV, "venv", "--quiet", "--python", sys.executable, venv], cwd=tmp_path)
    _run(
        [
            UV,
            "pip",
            "install",
            "--quiet",
            "--python",
            venv / "bin" / "python",
            "-c",
            PROJECT_ROOT / "constraints.txt",
            wheel,
        ],
        cwd=tmp_path,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"
    env = {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "SALESPULSE_HOME": str(home),
    }
    where = _run(
        [
            "python",
            "-c",
            "import salespulse.config as c, pipelines; print(c.RESOURCE_ROOT); print(pipelines.__file__)",
        ],
        cwd=elsewhere,
        env=env,
    ).split()
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    assert where == [str(site / "salespulse" / "_resources"), str(site / "pipelines" / "__init__.py")]

    _run(["salespulse", "init", "--quiet"], cwd=elsewhere, env=env)
    _run(["salespulse", "contracts"], cwd=elsewhere, env=env)
    _run(
        ["salespulse", "generate", "--as-of", "2026-03-31", "--reps", "6", "--months", "3"],
        cwd=elsewhere,
        env=env,
    )
    _run(["salespulse", "run", "--as-of", "2026-03-31", "--no-summary"], cwd=elsewhere, env=env)
    with duckdb.connect(str(home / "analytics.duckdb"), read_only=True) as con:
        months = con.execute("select count(*), sum(sales_amount) from marts.kpi_company_monthly").fetchone()
        checks = con.execute("select count(*) from marts.dq_check_digest").fetchone()
    assert months[0] >= 3 and months[1] > 0, "the marts were built from the wheel's dbt project"
    assert checks[0] > 0, "the checks ran"
    run_results = json.loads((home / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))
    assert run_results["results"] and all(
        r["status"] in ("success", "pass", "warn") for r in run_results["results"]
    )
    assert not (elsewhere / "logs").exists() and not list(
        site.glob("salespulse/_resources/dbt_project/logs")
    ), "dbt writes under the data home, not beside the installed project"
