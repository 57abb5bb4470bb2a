"""The Dagster code location loads and holds what the UI and the schedules rely on."""

import dagster as dg
import pytest

import pipelines.definitions


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    """The code location as Dagster loads it: `defs` is a @dg.definitions function."""
    return pipelines.definitions.defs()


def test_definitions_load_with_ingest_and_warehouse_assets(defs):
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


def test_jobs_sensors_and_schedules_are_registered(defs):
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


def test_the_dbt_step_gives_its_environment_to_dbt_alone(monkeypatch):
    """The dbt step's as-of date and warehouse reach the dbt process only: they are in this
    process's environment while dbt starts (inside `cli`) and gone afterwards, since the steps
    after dbt run in the same process."""
    import os

    from dagster_dbt import DbtCliResource

    from pipelines.defs.warehouse.assets import PipelineDbtCliResource, dbt_project

    seen = {}

    def fake_cli(self, args, **kwargs):
        seen.update({name: os.environ.get(name) for name in ("SALESPULSE_DBT_AS_OF", "SALESPULSE_WAREHOUSE")})
        raise RuntimeError("dbt failed to start")

    monkeypatch.setattr(DbtCliResource, "cli", fake_cli)
    monkeypatch.delenv("SALESPULSE_DBT_AS_OF", raising=False)
    monkeypatch.setenv("SALESPULSE_WAREHOUSE", "/the/shells/warehouse.duckdb")
    resource = PipelineDbtCliResource(project_dir=dbt_project, target="dev")
    env = {"SALESPULSE_DBT_AS_OF": "2026-03-16", "SALESPULSE_WAREHOUSE": "/run/warehouse.duckdb"}
    with pytest.raises(RuntimeError):
        resource.cli(["build"], env=env)
    assert seen == env
    assert "SALESPULSE_DBT_AS_OF" not in os.environ
    assert os.environ["SALESPULSE_WAREHOUSE"] == "/the/shells/warehouse.duckdb"
