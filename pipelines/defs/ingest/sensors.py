"""Launch ingest when files arrive in landing/."""

import hashlib
import time

import dagster as dg

from pipelines.defs.jobs import pipeline_job
from salespulse.config import get_settings
from salespulse.ingest.loader import pending_files


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


@dg.sensor(
    job=pipeline_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the pipeline when files in landing/ have settled (no write for "
    "SALESPULSE_LANDING_SETTLE_SECONDS).",
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
    return dg.RunRequest(run_key=f"landing-{fingerprint}", tags={"salespulse/trigger": "landing"})
