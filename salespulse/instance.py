"""The Dagster instance of a data home, for the commands that run Dagster from a shell.

Every run is recorded in `$SALESPULSE_HOME/dagster` (DAGSTER_HOME), the instance `make dev`
shows: `salespulse run`, `render`, `backfill` and `dagster` set it for the Dagster command they
start, whatever the calling shell has, so a run started from a shell is never lost to another
instance (or to Dagster's "DAGSTER_HOME is not set").
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from salespulse.briefs.kinds import KINDS as BRIEF_KINDS
from salespulse.config import PROJECT_ROOT, RESOURCE_ROOT, Settings

CODE_LOCATION = ["-m", "pipelines.definitions"]
# Run config of command-line pipeline runs: the console logs at INFO, not DEBUG.
QUIET_CONFIG = PROJECT_ROOT / "pipelines" / "run_config" / "quiet.yaml"
# Brief asset → the grain of its partitions (the brief kinds declare both).
BRIEFS = {kind.asset: kind.grain for kind in BRIEF_KINDS.values()}
# Partitioned jobs → the grain of their partitions: <kind>_run (pipeline, then the briefs) and
# <kind>_briefs (the briefs only).
JOBS = {f"{name}_{suffix}": kind.grain for name, kind in BRIEF_KINDS.items() for suffix in ("run", "briefs")}
SEND_EMAIL = ("auto", "always", "never")
# Command-line runs log at INFO; the full event log stays in the run history.
QUIET_LOGGERS = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


# SALESPULSE_DAGSTER_STORAGE → the repo's instance config copied into DAGSTER_HOME.
INSTANCE_CONFIGS = {"sqlite": "dagster.yaml", "postgres": "dagster-postgres.yaml"}
# What dagster-postgres.yaml reads when the instance loads (Dagster's `env:`, no defaults).
POSTGRES_ENV = (
    "SALESPULSE_DAGSTER_PG_HOST",
    "SALESPULSE_DAGSTER_PG_PORT",
    "SALESPULSE_DAGSTER_PG_USER",
    "SALESPULSE_DAGSTER_PG_PASSWORD",
    "SALESPULSE_DAGSTER_PG_DB",
)


def instance_config(settings: Settings) -> Path:
    """The repo's instance config for the data home's storage (SALESPULSE_DAGSTER_STORAGE)."""
    return RESOURCE_ROOT / INSTANCE_CONFIGS[settings.dagster_storage]


def missing_postgres_env(settings: Settings) -> list[str]:
    """The SALESPULSE_DAGSTER_PG_* variables the Postgres instance needs and the environment lacks."""
    if settings.dagster_storage != "postgres":
        return []
    return [name for name in POSTGRES_ENV if name not in os.environ]


def init_home(settings: Settings) -> None:
    """The data home's folders and the instance config (dagster.yaml, or dagster-postgres.yaml
    with SALESPULSE_DAGSTER_STORAGE=postgres, copied from the repo as DAGSTER_HOME/dagster.yaml)."""
    settings.ensure_dirs()
    settings.contract_overrides_dir.mkdir(parents=True, exist_ok=True)
    source = instance_config(settings)
    target = settings.dagster_home / "dagster.yaml"
    if source.is_file() and (not target.exists() or target.read_bytes() != source.read_bytes()):
        target.write_bytes(source.read_bytes())


def dagster_env(settings: Settings) -> dict[str, str]:
    """The environment of a Dagster command on this data home."""
    return {
        **os.environ,
        "SALESPULSE_HOME": str(settings.home),
        "DAGSTER_HOME": str(settings.dagster_home),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def foreign_dagster_home(settings: Settings) -> str | None:
    """DAGSTER_HOME of the calling shell when it points elsewhere than the data home's instance."""
    current = os.environ.get("DAGSTER_HOME", "").strip()
    if current and Path(current).expanduser().resolve() != settings.dagster_home.resolve():
        return current
    return None


def prepare_manifest_command() -> list[str]:
    """What `make setup` runs to prepare dbt's manifest for the Dagster definitions."""
    candidate = Path(sys.executable).parent / "dagster-dbt"
    executable = str(candidate) if candidate.exists() else "dagster-dbt"
    return [executable, "project", "prepare-and-package", "--file", "pipelines/defs/warehouse/project.py"]


def dagster_executable() -> str:
    candidate = Path(sys.executable).parent / "dagster"
    return str(candidate) if candidate.exists() else "dagster"


def partition_key(grain: str, text: str) -> str:
    """The partition of `grain` that contains the day `text` (YYYY-MM-DD; YYYY-MM for a month).

    Weekly partitions start on Mondays and monthly ones on the 1st: any day of the period names it.
    """
    try:
        day = date.fromisoformat(text + "-01" if grain == "month" and len(text) == 7 else text)
    except ValueError as exc:
        raise ValueError(
            f"{text!r} is not a date (YYYY-MM-DD{', or YYYY-MM' if grain == 'month' else ''})"
        ) from exc
    if grain == "week":
        day -= timedelta(days=day.weekday())
    elif grain == "month":
        day = day.replace(day=1)
    return day.isoformat()


def render_command(
    brief: str, partition: str, send_email: str = "auto", only: list[str] | None = None, locale: str = ""
) -> list[str]:
    """`dagster asset materialize` of one brief partition, run now in this process's instance."""
    op = f"briefs__{brief}"
    config = {"send_email": send_email, "only": list(only or []), "locale": locale}
    run_config = {**QUIET_LOGGERS, "ops": {op: {"config": config}}}
    return [
        dagster_executable(),
        "asset",
        "materialize",
        *CODE_LOCATION,
        "--select",
        f"briefs/{brief}",
        "--partition",
        partition,
        "--config-json",
        json.dumps(run_config),
    ]


def backfill_command(job: str, first: str, last: str) -> list[str]:
    """`dagster job backfill` of the partitions first..last (queued; the daemon launches them)."""
    command = [dagster_executable(), "job", "backfill", *CODE_LOCATION, "-j", job, "--noprompt"]
    if first == last:
        return [*command, "--partitions", first]
    return [*command, "--from", first, "--to", last]


def daemon_running(settings: Settings, within_seconds: float = 60.0) -> bool | None:
    """Whether a Dagster daemon heartbeats in this instance (None when that cannot be read)."""
    try:
        from dagster import DagsterInstance

        with DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            beats = instance.get_daemon_heartbeats()
    except Exception:
        return None
    now = time.time()
    return any(now - beat.timestamp < within_seconds for beat in beats.values())
