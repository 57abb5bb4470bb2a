"""The salespulse code location: the one entrypoint Dagster loads (`pipelines.definitions:defs`)."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.briefs.assets import brief_assets
from pipelines.defs.ingest.assets import ingest_landing, work_calendar
from pipelines.defs.ingest.schedules import ingest_schedule
from pipelines.defs.ingest.sensors import landing_sensor
from pipelines.defs.jobs import all_jobs
from pipelines.defs.operations.schedules import run_schedules
from pipelines.defs.operations.sensors import alert_on_failed_error_checks, alert_on_run_failure, watch_runs
from pipelines.defs.quality.assets import dq_check_digest
from pipelines.defs.quality.checks import dq_mart_expectations, dq_rule_checks
from pipelines.defs.resources import warehouse_resource
from pipelines.defs.warehouse.assets import analytics_duckdb, dbt_resource, dbt_warehouse

# Steps run in the run's own process: every step that writes shares one DuckDB file (one writer
# at a time anyway), and a subprocess per step cost ~4 s of imports each.
defs = dg.Definitions(
    executor=dg.in_process_executor,
    assets=[ingest_landing, work_calendar, dbt_warehouse, dq_check_digest, analytics_duckdb, *brief_assets],
    asset_checks=[dq_rule_checks, dq_mart_expectations],
    jobs=all_jobs,
    sensors=[landing_sensor, alert_on_run_failure, alert_on_failed_error_checks, watch_runs],
    schedules=[ingest_schedule, *run_schedules],
    resources={"warehouse": warehouse_resource(), "dbt": dbt_resource()},
)
