"""The Dagster code location loads and holds what the UI and the schedules rely on."""

import dagster as dg

from pipelines.definitions import defs


def test_definitions_load_with_ingest_and_warehouse_assets():
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    for kind in ("roster", "orders", "daily_reports", "opportunities", "ingested_files", "work_calendar"):
        assert f"raw/{kind}" in keys
    assert "marts/fct_orders" in keys and "marts/kpi_rep_monthly" in keys
    groups = {
        graph.get(dg.AssetKey(["raw", "orders"])).group_name,
        graph.get(dg.AssetKey(["marts", "fct_orders"])).group_name,
    }
    assert groups == {"ingest", "marts"}
    # dbt sources are the raw ingest assets: the marts sit downstream of ingest.
    staging = graph.get(dg.AssetKey(["staging", "stg_raw__orders"]))
    assert dg.AssetKey(["raw", "orders"]) in staging.parent_keys


def test_jobs_sensors_and_schedules_are_registered():
    assert defs.resolve_job_def("salespulse_pipeline") is not None
    assert defs.resolve_sensor_def("landing_sensor").default_status == dg.DefaultSensorStatus.RUNNING
    assert defs.resolve_schedule_def("landing_poll_schedule") is not None
    for name in ("daily_after_deadline", "weekly_after_deadline", "monthly_first_workday"):
        assert defs.resolve_schedule_def(name).default_status == dg.DefaultScheduleStatus.RUNNING
    for name in ("alert_on_run_failure", "alert_on_failed_error_checks"):
        assert defs.resolve_sensor_def(name) is not None
    # The run jobs put the pipeline and one brief together under the brief's partitions.
    assert defs.resolve_job_def("daily_run").partitions_def is not None
    checks = {key.name for key in defs.resolve_asset_graph().asset_check_keys}
    assert "great_expectations" in checks
