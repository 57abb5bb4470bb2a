"""A time-based ingest for deployments that prefer polling over the landing sensor."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.jobs import pipeline_job
from salespulse.config import Settings


def build_ingest_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """Every 30 minutes in the business timezone (SALESPULSE_TIMEZONE); stopped until turned on."""
    return dg.ScheduleDefinition(
        name="landing_poll_schedule",
        job=pipeline_job,
        cron_schedule="*/30 * * * *",
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Every 30 minutes: pick up whatever is in landing/ (an alternative to the sensor).",
    )
