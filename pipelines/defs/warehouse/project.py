"""The dbt project, in its own module so `dagster-dbt project prepare-and-package` can load it."""

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from salespulse.dbt_project import DBT_PROJECT_DIR, stale_manifest

# dbt is installed in this environment; make it findable when the venv is not activated
# (`.venv/bin/dagster dev`), for dagster-dbt's own `dbt parse` as much as for our runs.
_ENV_BIN = Path(sys.prefix) / "bin"
if shutil.which("dbt") is None and (_ENV_BIN / "dbt").exists():
    os.environ["PATH"] = f"{_ENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` dagster-dbt re-parses the project on every load, and every run's worker
# loads the code again: ~5 s or more per run before its first step. Parse only when the project
# changed since the manifest was prepared.
if stale_manifest():
    dbt_project.prepare_if_dev()
