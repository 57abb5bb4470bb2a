"""The dbt project, in its own module so `dagster-dbt project prepare-and-package` can load it."""

import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt_project"

# dbt is installed in this environment; make it findable when the venv is not activated
# (`.venv/bin/dagster dev`), for dagster-dbt's own `dbt parse` as much as for our runs.
_ENV_BIN = Path(sys.prefix) / "bin"
if shutil.which("dbt") is None and (_ENV_BIN / "dbt").exists():
    os.environ["PATH"] = f"{_ENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()
