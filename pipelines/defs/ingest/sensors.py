"""Launch the pipeline when files arrive in landing/.

The run is `daily_run` for the latest closed working day (today once the daily deadline has
passed, else the previous working day): ingest → dbt → checks → analytics.duckdb, then that
day's exception digest re-rendered on disk. It sends no e-mail — the scheduled run after the
deadline does — so a file landing at 10:00 does not mail anyone a half-day digest.

How soon: the daemon evaluates the sensor every SALESPULSE_LANDING_SENSOR_INTERVAL_SECONDS
(default 5; the sensor daemon's own loop runs every 5 s, so less is not faster), and a file
counts as settled once unchanged for SALESPULSE_LANDING_SETTLE_SECONDS (default 2).

How much it rebuilds: when every settled file is in a landing/<kind>/ folder, the warehouse was
last built consistently as of the same day with the same vars and code, and no other run is
queued or running, the run loads only those kinds and rebuilds only the models (and their tests
and checks) downstream of them - the rest of the warehouse is already what a full build would
make. Otherwise (a loose file, a new day, changed settings or code) it rebuilds everything.
"""

import hashlib
from datetime import date, datetime, time
from pathlib import Path

import dagster as dg

from pipelines.defs.as_of import AS_OF_TAG
from pipelines.defs.ingest.assets import (
    CALENDAR_KEY,
    LANDING_KINDS_TAG,
    REGISTRY_KEY,
    input_kinds,
    raw_key,
    rejects_key,
)
from pipelines.defs.jobs import brief_key, daily_run, run_selection
from salespulse.briefs.kinds import DAILY
from salespulse.calendar import WorkCalendar
from salespulse.config import Settings
from salespulse.dbt_project import build_fingerprint, consistent_build
from salespulse.ingest.landing import scan_landing

# The daily brief's op, whose run config turns its mail off: "briefs__daily_exception_digest".
DIGEST_OP = brief_key(DAILY).to_python_identifier()
ACTIVE_RUN_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def settled_files(landing: Path, min_age_seconds: float, now: float | None = None) -> tuple[list[Path], int]:
    """(files in LANDING a run would load now: unchanged for `min_age_seconds` and open for
    writing by no process; count of files still being written) - the same test as the run's."""
    scan = scan_landing(landing, min_age_seconds, now)
    return [landed.path for landed in scan.ready], len(scan.waiting)


def _fingerprint(paths: list[Path]) -> str:
    lines = []
    for path in paths:
        stat = path.stat()
        lines.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def landed_kinds(paths: list[Path], landing: Path, kinds: list[str]) -> set[str] | None:
    """The kinds of files in landing/<kind>/ folders; None when a file's kind is known only once it
    is read (a loose file, an unknown folder)."""
    found = set()
    for path in paths:
        parts = path.relative_to(landing).parts
        if len(parts) < 2 or parts[0] not in kinds:
            return None
        found.add(parts[0])
    return found


def latest_closed_day(now: datetime, calendar: WorkCalendar, deadline: time) -> date:
    """Today once its DEADLINE has passed and it is a working day, else the working day before."""
    today = now.date()
    if calendar.is_workday(today) and now.time() >= deadline:
        return today
    return calendar.previous_workday(today)


def partial_selection(
    context: dg.SensorEvaluationContext,
    kinds: set[str],
    as_of: date,
    settings: Settings,
    all_kinds: list[str],
) -> tuple[list[dg.AssetKey], list[dg.AssetCheckKey]] | None:
    """The assets and checks of daily_run that depend on `kinds`, when rebuilding only those
    gives what a full build would; else None (rebuild everything). ALL_KINDS: the kinds the
    ingest step has assets for."""
    repository = context.repository_def
    if repository is None:
        return None
    state = consistent_build(settings)
    if not state or state.get("fingerprint") != build_fingerprint(settings, as_of):
        return None
    active = context.instance.get_run_records(dg.RunsFilter(statuses=ACTIVE_RUN_STATUSES), limit=1)
    if active:
        return None
    graph = repository.asset_graph
    in_job = run_selection(DAILY).resolve(graph)
    selection = dg.AssetSelection.assets(*(raw_key(kind) for kind in sorted(kinds))).downstream() | (
        # The ingest step's assets go together (it loads every kind in one step).
        dg.AssetSelection.assets(REGISTRY_KEY, CALENDAR_KEY, *ingest_keys(all_kinds))
    )
    keys = selection.resolve(graph) & in_job
    checks = dg.AssetSelection.assets(*keys).resolve_checks(graph)
    return sorted(keys, key=lambda key: key.to_user_string()), sorted(checks, key=str)


def ingest_keys(kinds: list[str]) -> list[dg.AssetKey]:
    """The keys of the raw assets the ingest step writes besides the registry."""
    return [raw_key(kind) for kind in kinds] + [rejects_key(kind) for kind in kinds]


def build_landing_sensor(settings: Settings) -> dg.SensorDefinition:
    """The landing sensor, evaluated every SALESPULSE_LANDING_SENSOR_INTERVAL_SECONDS."""
    # The kinds the ingest assets were built with (build_ingest_landing), read once with them: a
    # contract file added since names no asset of this code location until it is reloaded.
    kinds_built = input_kinds(settings)

    @dg.sensor(
        job=daily_run,
        minimum_interval_seconds=settings.landing_sensor_interval_seconds,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Runs daily_run (pipeline + the latest closed day's digest, not mailed) when files in "
        "landing/ have settled (no write for SALESPULSE_LANDING_SETTLE_SECONDS); evaluated every "
        "SALESPULSE_LANDING_SENSOR_INTERVAL_SECONDS. Files in landing/<kind>/ folders rebuild only what "
        "depends on their kinds when the rest of the warehouse is current.",
    )
    def landing_sensor(context: dg.SensorEvaluationContext):
        settled, fresh = settled_files(settings.landing_dir, settings.landing_settle_seconds)
        if not settled:
            reason = f"{fresh} file(s) still being written" if fresh else "landing/ is empty"
            return dg.SkipReason(reason)
        fingerprint = _fingerprint(settled)
        if fingerprint == context.cursor:
            return dg.SkipReason(f"{len(settled)} file(s) already picked up by a run")
        context.update_cursor(fingerprint)
        day = latest_closed_day(
            datetime.now(settings.tz).replace(tzinfo=None),
            settings.work_calendar(),
            settings.daily_deadline,
        )
        tags = {"salespulse/trigger": "landing", AS_OF_TAG: day.isoformat()}
        request = {
            "run_key": f"landing-{fingerprint}",
            "partition_key": day.isoformat(),
            "run_config": {"ops": {DIGEST_OP: {"config": {"send_email": "never"}}}},
        }
        kinds = landed_kinds(settled, settings.landing_dir, kinds_built)
        as_of = settings.as_of_override or day
        selection = partial_selection(context, kinds, as_of, settings, kinds_built) if kinds else None
        if selection is None:
            return dg.RunRequest(tags=tags, **request)
        keys, checks = selection
        return dg.RunRequest(
            tags={**tags, LANDING_KINDS_TAG: ",".join(sorted(kinds))},
            asset_selection=keys,
            asset_check_keys=checks,
            **request,
        )

    return landing_sensor
