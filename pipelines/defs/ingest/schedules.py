"""A time-based ingest for deployments that prefer polling over the landing sensor."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.jobs import pipeline_job
from salespulse.config import get_settings

ingest_schedule = dg.ScheduleDefinition(
    name="landing_poll_schedule",
    job=pipeline_job,
    cron_schedule="*/30 * * * *",
    execution_timezone=get_settings().timezone,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every 30 minutes: pick up whatever is in landing/ (an alternative to the sensor).",
)
