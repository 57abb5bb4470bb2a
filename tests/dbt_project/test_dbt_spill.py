"""dbt on a warehouse that spills: the profile's DuckDB limits hold for every model.

DuckDB refuses to set `temp_directory` again once it has spilled there (even to the same
folder), so limits given per cursor (dbt-duckdb `settings`) failed the model after the first
one that spilled - a warehouse too large for its memory limit could not be built at all.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from dbt_support import run_dbt

from salespulse.config import PROJECT_ROOT

# A grouping of 1.5 M distinct strings does not fit in 40 MB: it spills.
SPILLING_MODEL = "select md5(i::varchar) as k, count(*) as n from range(1500000) r(i) group by 1"


def test_models_after_one_that_spilled_still_build(tmp_path):
    project = tmp_path / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(
        "name: spill\nversion: '1.0'\nconfig-version: 2\nprofile: salespulse\n"
        "models:\n  spill:\n    +materialized: table\n",
        encoding="utf-8",
    )
    for name in ("first", "second", "third"):
        (project / "models" / f"{name}.sql").write_text(SPILLING_MODEL + "\n", encoding="utf-8")
    (project / "models" / "limits.sql").write_text(
        "select current_setting('memory_limit') as memory_limit,"
        " current_setting('temp_directory') as temp_directory, current_setting('threads') as threads\n",
        encoding="utf-8",
    )
    (tmp_path / "tmp").mkdir()  # the data home's, as `salespulse init` makes it
    done = run_dbt(
        tmp_path,
        tmp_path / "warehouse.duckdb",
        {},
        ("run",),
        project_dir=project,
        profiles_dir=PROJECT_ROOT / "dbt_project",
        env={
            "SALESPULSE_HOME": str(tmp_path),
            "SALESPULSE_DUCKDB_MEMORY_LIMIT": "40MB",
            "SALESPULSE_DUCKDB_THREADS": "1",
        },
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "Completed successfully" in done.stdout
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        memory, temp, threads = con.execute("select * from main.limits").fetchone()
    assert memory.replace(" ", "") in ("38.1MiB", "40.0MB", "38.1MB"), memory
    assert Path(temp) == tmp_path / "tmp" / "duckdb"
    assert int(threads) == 1
