"""The salespulse code location: the one entrypoint Dagster loads (`pipelines.definitions:defs`)."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.briefs.assets import brief_assets
from pipelines.defs.briefs.schedules import brief_jobs, brief_schedules
from pipelines.defs.ingest.assets import ingest_landing, work_calendar
from pipelines.defs.ingest.schedules import ingest_schedule
from pipelines.defs.ingest.sensors import landing_sensor
from pipelines.defs.jobs import pipeline_job
from pipelines.defs.resources import warehouse_resource
from pipelines.defs.warehouse.assets import analytics_duckdb, dbt_resource, dbt_warehouse

defs = dg.Definitions(
    assets=[ingest_landing, work_calendar, dbt_warehouse, analytics_duckdb, *brief_assets],
    jobs=[pipeline_job, *brief_jobs],
    sensors=[landing_sensor],
    schedules=[ingest_schedule, *brief_schedules],
    resources={"warehouse": warehouse_resource(), "dbt": dbt_resource()},
)
