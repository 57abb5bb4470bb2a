"""The salespulse code location: the one entrypoint Dagster loads (`pipelines.definitions:defs`).

`defs` is built when Dagster loads the code location (the webserver, the daemon, each run's
worker), not when this module is imported: the settings are read there, once per process, and
passed to everything that needs them - the `settings` resource for the assets and checks, the
factories for the sensors, schedules and partitions whose definitions depend on them.
"""

from __future__ import annotations

import dagster as dg

from pipelines.defs.briefs.assets import build_brief_assets
from pipelines.defs.ingest.assets import build_ingest_landing, work_calendar
from pipelines.defs.ingest.schedules import build_ingest_schedule
from pipelines.defs.ingest.sensors import build_landing_sensor
from pipelines.defs.jobs import all_jobs
from pipelines.defs.operations.schedules import build_run_schedules
from pipelines.defs.operations.sensors import build_operations_sensors
from pipelines.defs.quality.assets import dq_check_digest
from pipelines.defs.quality.checks import dq_mart_expectations, dq_rule_checks
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.warehouse.assets import analytics_duckdb, dbt_resource, dbt_warehouse
from salespulse.config import Settings, get_settings


def build_resources(settings: Settings) -> dict[str, object]:
    """Every resource of the code location, from one reading of the settings."""
    return {
        "settings": settings,
        "warehouse": WarehouseResource.from_settings(settings),
        "dbt": dbt_resource(),
    }


def build_definitions(settings: Settings) -> dg.Definitions:
    """The whole code location for SETTINGS (tests build it for their own data home)."""
    return dg.Definitions(
        # Steps run in the run's own process: every step that writes shares one DuckDB file (one
        # writer at a time anyway), and a subprocess per step cost ~4 s of imports each.
        executor=dg.in_process_executor,
        assets=[
            build_ingest_landing(settings),
            work_calendar,
            dbt_warehouse,
            dq_check_digest,
            analytics_duckdb,
            *build_brief_assets(settings).values(),
        ],
        asset_checks=[dq_rule_checks, dq_mart_expectations],
        jobs=all_jobs,
        sensors=[build_landing_sensor(settings), *build_operations_sensors(settings)],
        schedules=[build_ingest_schedule(settings), *build_run_schedules(settings).values()],
        resources=build_resources(settings),
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(get_settings())
