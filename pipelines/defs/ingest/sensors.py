"""Launch the pipeline when files arrive in landing/.

The run is `daily_run` for the latest closed working day (today once the daily deadline has
passed, else the previous working day): ingest → dbt → checks → analytics.duckdb, then that
day's exception digest re-rendered on disk. It sends no e-mail — the scheduled run after the
deadline does — so a file landing at 10:00 does not mail anyone a half-day digest.

How soon: the daemon evaluates the sensor every SALESPULSE_LANDING_SENSOR_INTERVAL_SECONDS
(default 5; the sensor daemon's own loop runs every 5 s, so less is not faster), and a file
counts as settled once unchanged for SALESPULSE_LANDING_SETTLE_SECONDS (default 2): a file
copied in is picked up within seconds of its last write.
"""

import hashlib
import time
from datetime import date, datetime

import dagster as dg

from pipelines.defs.as_of import AS_OF_TAG
from pipelines.defs.operations.schedules import daily_run
from salespulse.calendar import WorkCalendar
from salespulse.config import get_settings
from salespulse.ingest.loader import pending_files

DIGEST_OP = "briefs__daily_exception_digest"


def landing_fingerprint(min_age_seconds: float, now: float | None = None) -> tuple[str | None, int, int]:
    """(fingerprint of settled files, settled count, still-being-written count)."""
    now = time.time() if now is None else now
    settled, fresh = [], 0
    for path in pending_files(get_settings().landing_dir):
        stat = path.stat()
        if now - stat.st_mtime < min_age_seconds:
            fresh += 1
            continue
        settled.append(f"{path}:{stat.st_size}:{stat.st_mtime_ns}")
    if not settled:
        return None, 0, fresh
    return hashlib.sha256("\n".join(settled).encode()).hexdigest()[:16], len(settled), fresh


def latest_closed_day(now: datetime, calendar: WorkCalendar) -> date:
    """Today once its daily deadline has passed and it is a working day, else the working day before."""
    deadline = get_settings().daily_deadline
    today = now.date()
    if calendar.is_workday(today) and now.time() >= deadline:
        return today
    return calendar.previous_workday(today)


@dg.sensor(
    job=daily_run,
    minimum_interval_seconds=get_settings().landing_sensor_interval_seconds,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Runs daily_run (pipeline + the latest closed day's digest, not mailed) when files in "
    "landing/ have settled (no write for SALESPULSE_LANDING_SETTLE_SECONDS); evaluated every "
    "SALESPULSE_LANDING_SENSOR_INTERVAL_SECONDS.",
)
def landing_sensor(context: dg.SensorEvaluationContext):
    settings = get_settings()
    fingerprint, count, fresh = landing_fingerprint(settings.landing_settle_seconds)
    if fingerprint is None:
        reason = f"{fresh} file(s) still being written" if fresh else "landing/ is empty"
        return dg.SkipReason(reason)
    if fingerprint == context.cursor:
        return dg.SkipReason(f"{count} file(s) already picked up by a run")
    context.update_cursor(fingerprint)
    day = latest_closed_day(
        datetime.now(settings.tz).replace(tzinfo=None), WorkCalendar.from_file(settings.calendar_file)
    )
    return dg.RunRequest(
        run_key=f"landing-{fingerprint}",
        partition_key=day.isoformat(),
        tags={"salespulse/trigger": "landing", AS_OF_TAG: day.isoformat()},
        run_config={"ops": {DIGEST_OP: {"config": {"send_email": "never"}}}},
    )
