"""The dbt project as the pipeline runs it: its vars from the settings, and dbt command lines that
point at the data home's warehouse (for `salespulse dbt` and `salespulse docs`)."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import date
from pathlib import Path

from salespulse.config import PACKAGED_RESOURCES, PROJECT_ROOT, RESOURCE_ROOT, THRESHOLDS, Settings

DBT_PROJECT_DIR = RESOURCE_ROOT / "dbt_project"
# The manifest the Dagster definitions load (`make setup` prepares it).
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"
# dbt commands that build, test, compile or describe the project: they take the pipeline's vars
# and share its target folder (so dbt parses only what changed since the last run).
PROJECT_COMMANDS = {
    "build",
    "clone",
    "compile",
    "docs",
    "list",
    "ls",
    "parse",
    "retry",
    "run",
    "run-operation",
    "seed",
    "show",
    "snapshot",
    "source",
    "test",
}


def dbt_vars(settings: Settings, as_of: date | None = None) -> dict[str, str | int | float]:
    """The dbt vars the pipeline passes: the as-of date, the calendar and deadline settings, and
    every declared threshold a dbt model applies (config.Thresholds, those with a dbt var)."""
    return {
        "as_of_date": (as_of or settings.as_of).isoformat(),
        "business_timezone": settings.timezone,
        "daily_deadline": settings.daily_deadline.strftime("%H:%M"),
        "weekly_deadline": settings.weekly_deadline.strftime("%H:%M"),
        "dq_start_date": settings.dq_start.isoformat() if settings.dq_start else "",
        **{t.dbt_var: getattr(settings, t.name) for t in THRESHOLDS if t.dbt_var},
    }


def stale_manifest() -> bool:
    """Whether dbt's manifest, which the Dagster definitions load, is older than the dbt project
    (a model added or changed since `make setup` prepared it). An installed wheel's manifest was
    prepared when the wheel was built, from the project beside it: never stale."""
    if RESOURCE_ROOT == PACKAGED_RESOURCES:
        return False
    project = DBT_PROJECT_DIR
    manifest = MANIFEST_PATH
    if not manifest.exists():
        return True
    skipped = {"target", "logs", "dbt_packages"}
    newest = max(
        (
            path.stat().st_mtime
            for path in project.rglob("*")
            if path.suffix in (".sql", ".yml", ".md") and not skipped & set(path.relative_to(project).parts)
        ),
        default=0.0,
    )
    return newest > manifest.stat().st_mtime


def dbt_executable() -> str:
    """dbt from this environment (the venv), whether or not it is activated."""
    candidate = Path(sys.executable).parent / "dbt"
    return str(candidate) if candidate.exists() else "dbt"


# The `spark` target's dbt, with dbt-spark and pyspark, in an environment of its own
# (requirements-spark.txt; `make setup` makes it beside .venv); SALESPULSE_SPARK_DBT names
# another one (e.g. for an installed wheel).
SPARK_VENV_DBT = PROJECT_ROOT / ".venv-spark" / "bin" / "dbt"


class SparkNotInstalledError(RuntimeError):
    """The spark target was asked for and its environment is missing."""


def _target(settings: Settings, args: list[str]) -> str:
    """The profile target ARGS ask for: --target, else SALESPULSE_DBT_TARGET, else dev."""
    for i, arg in enumerate(args):
        if arg in ("--target", "-t") and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
    return settings.dbt_target


def dbt_executable_for(settings: Settings, args: list[str]) -> str:
    """dbt for ARGS: the spark environment's for the spark target, this environment's otherwise."""
    if _target(settings, args) != "spark":
        return dbt_executable()
    spark_dbt = settings.spark_dbt or SPARK_VENV_DBT
    if not spark_dbt.exists():
        raise SparkNotInstalledError(
            f"the spark target runs {spark_dbt}, which is missing: `make setup` makes .venv-spark "
            "(requirements-spark.txt), with Java 17 from `make system-deps`; or set SALESPULSE_SPARK_DBT"
        )
    return str(spark_dbt)


def dbt_profile_env(settings: Settings) -> dict[str, str]:
    """What profiles.yml reads, from the settings: the data home, the warehouse and the DuckDB
    limits. Given to each dbt process (the pipeline's dbt step, `salespulse dbt`), never set in
    the environment of the process that starts it."""
    return {
        "SALESPULSE_HOME": str(settings.home),
        "SALESPULSE_WAREHOUSE": str(settings.warehouse_path),
        "SALESPULSE_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit,
        "SALESPULSE_DUCKDB_THREADS": str(settings.duckdb_threads),
    }


def dbt_env(settings: Settings, args: list[str] | tuple[str, ...] = ()) -> dict[str, str]:
    """The environment `salespulse dbt` runs dbt in: this one, with what profiles.yml reads.
    For the spark target (by ARGS or SALESPULSE_DBT_TARGET) raw comes from the Parquet mirror:
    SALESPULSE_DBT_RAW_PARQUET_DIR, else the data home's mirror when there is one."""
    env = {
        **os.environ,
        **dbt_profile_env(settings),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    mirror = settings.dbt_raw_parquet_dir
    if mirror is None and _target(settings, list(args)) == "spark" and settings.raw_parquet_dir.is_dir():
        mirror = settings.raw_parquet_dir
    if mirror is not None:
        env["SALESPULSE_DBT_RAW_PARQUET_DIR"] = str(mirror)
    return env


def _has(args: list[str], *flags: str) -> bool:
    return any(arg == flag or arg.startswith(flag + "=") for arg in args for flag in flags)


def dbt_command(settings: Settings, args: list[str], as_of: date | None = None) -> list[str]:
    """`dbt ARGS` on the data home's warehouse, as the pipeline runs it.

    The project and profiles folders are the repo's; for commands that work on the project the
    pipeline's vars and its target folder ($SALESPULSE_HOME/dbt/target) are added unless ARGS
    give their own.
    """
    command = [dbt_executable_for(settings, args), *args]
    if not _has(args, "--project-dir"):
        command += ["--project-dir", str(DBT_PROJECT_DIR)]
    if not _has(args, "--profiles-dir"):
        command += ["--profiles-dir", str(DBT_PROJECT_DIR)]
    if args and args[0] in PROJECT_COMMANDS:
        if not _has(args, "--vars"):
            command += ["--vars", json.dumps(dbt_vars(settings, as_of))]
        if not _has(args, "--target-path"):
            command += ["--target-path", str(settings.home / "dbt" / "target")]
        if not _has(args, "--log-path"):
            command += ["--log-path", str(settings.home / "dbt" / "logs")]
    return command


def docs_commands(settings: Settings, host: str, port: int) -> tuple[list[str], list[str], bool]:
    """(generate, serve, with_catalog): dbt docs of the project, built into $SALESPULSE_HOME/dbt/docs.

    The catalog (column types, row counts) is read from analytics.duckdb, read-only, through the
    profile's `docs` target: building the docs never opens the warehouse, so it never blocks or
    waits for a running pipeline. Before the first build there is no catalog; descriptions and
    declared types still show.
    """
    docs_dir = settings.home / "dbt" / "docs"
    with_catalog = settings.analytics_path.exists()
    generate = [
        dbt_executable(),
        "docs",
        "generate",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        "docs" if with_catalog else "lint",
        "--target-path",
        str(docs_dir),
        "--log-path",
        str(settings.home / "dbt" / "logs"),
        "--vars",
        json.dumps(dbt_vars(settings)),
    ]
    if not with_catalog:
        generate.append("--empty-catalog")
    serve = [
        dbt_executable(),
        "docs",
        "serve",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(docs_dir),
        "--host",
        host,
        "--port",
        str(port),
        "--no-browser",
    ]
    return generate, serve, with_catalog


# A landing run rebuilds only the models downstream of the kinds it loaded. That is the same as
# a full build only while everything else in the warehouse was built with the same inputs: the
# same vars (the as-of date above all), calendar settings and dbt code. A build that leaves the
# warehouse consistent records them here; a build clears them first, so a failed one leaves none.
def build_fingerprint(
    settings: Settings, as_of: date, manifest_path: Path = MANIFEST_PATH, *, include_as_of: bool = True
) -> str:
    """What a warehouse build depends on besides the raw data: vars, calendar and dbt code.
    Without the as-of date: what the incremental models' rows depend on besides raw."""
    try:
        manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    code = {
        **{uid: node.get("checksum", {}).get("checksum") for uid, node in manifest.get("nodes", {}).items()},
        **{
            uid: hashlib.sha256(macro.get("macro_sql", "").encode()).hexdigest()
            for uid, macro in manifest.get("macros", {}).items()
            if macro.get("package_name") == manifest.get("metadata", {}).get("project_name")
        },
    }
    calendar = None
    if settings.calendar_file and settings.calendar_file.exists():
        calendar = hashlib.sha256(settings.calendar_file.read_bytes()).hexdigest()
    variables = dbt_vars(settings, as_of)
    if not include_as_of:
        variables.pop("as_of_date", None)
    payload = {
        "vars": variables,
        "calendar": [
            calendar,
            settings.calendar_start.isoformat() if settings.calendar_start else None,
            settings.calendar_country,
            settings.timezone,
        ],
        "code": code,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _state_path(settings: Settings, name: str = "consistent_build") -> Path:
    return settings.home / "dbt" / f"{name}.json"


def _read_state(settings: Settings, name: str) -> dict | None:
    try:
        return json.loads(_state_path(settings, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_state(settings: Settings, name: str, state: dict) -> None:
    path = _state_path(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


def consistent_build(settings: Settings) -> dict | None:
    """The last build that left the warehouse consistent: {fingerprint, as_of, run_id}, or None."""
    return _read_state(settings, "consistent_build")


def record_consistent_build(settings: Settings, fingerprint: str, as_of: date, run_id: str) -> None:
    state = {"fingerprint": fingerprint, "as_of": as_of.isoformat(), "run_id": run_id}
    _write_state(settings, "consistent_build", state)


def forget_consistent_build(settings: Settings) -> None:
    _state_path(settings).unlink(missing_ok=True)


# The incremental models (macros/incremental.sql) add to what they hold only the rows of files
# that changed. Rows built by other dbt code, vars or calendar would stay as they were, so when
# those change the pipeline rebuilds them whole (--full-refresh) and records the new fingerprint
# once every incremental model has been rebuilt with it.
def incremental_fingerprint(settings: Settings) -> str | None:
    """The fingerprint the incremental models were last rebuilt whole with, or None."""
    return (_read_state(settings, "incremental_build") or {}).get("fingerprint")


def record_incremental_fingerprint(settings: Settings, fingerprint: str | None) -> None:
    """Record the fingerprint (after a build of every model) or forget it (None, before one
    that rebuilds them whole: if it fails, the next build rebuilds them whole again)."""
    if fingerprint is None:
        _state_path(settings, "incremental_build").unlink(missing_ok=True)
    else:
        _write_state(settings, "incremental_build", {"fingerprint": fingerprint})


# Tests that scale: a job in SALESPULSE_LIGHT_TEST_JOBS tests only the rows of files registered
# after the newest file the last build of every model had tested (macros/tests_since.sql).
def tested_through(settings: Settings) -> int | None:
    """The newest file_id whose rows every data test has checked, or None."""
    return (_read_state(settings, "tested_through") or {}).get("file_id")


def record_tested_through(settings: Settings, file_id: int | None) -> None:
    if file_id is not None:
        _write_state(settings, "tested_through", {"file_id": file_id})
