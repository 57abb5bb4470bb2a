"""dbt models as assets downstream of the raw ingest assets; dbt tests become asset checks."""

import importlib.metadata
import json
import os
from collections.abc import Mapping
from functools import cached_property
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets
from packaging import version

from pipelines.defs.as_of import run_as_of
from pipelines.defs.resources import SettingsParam, WarehouseResource
from pipelines.defs.steps import PUBLISH_PRIORITY
from pipelines.defs.warehouse.project import dbt_project
from salespulse.dbt_project import (
    build_fingerprint,
    consistent_build,
    dbt_profile_env,
    dbt_vars,
    forget_consistent_build,
    incremental_fingerprint,
    record_consistent_build,
    record_incremental_fingerprint,
    record_tested_through,
    tested_through,
)
from salespulse.publish import AUDIT_TABLES, publish_analytics, source_comments
from salespulse.quality.seen import confirm_findings

# dbt folder → Dagster group: the UI shows the graph by stage. The groups, left to right, in
# the order their assets flow (tests/dbt_project/test_dbt_layers.py checks no asset reads a later group).
GROUPS = {"staging": "staging", "intermediate": "staging", "marts": "marts", "quality": "quality"}
GROUP_ORDER = ("ingest", "staging", "marts", "quality", "audit", "publish", "briefs")


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 1:
            if "quality" in fqn:
                return "quality"
            return GROUPS.get(fqn[1], fqn[1])
        if dbt_resource_props.get("resource_type") == "source":
            # Raw tables: the ingest assets' own keys, and the rejects tables they write.
            return "ingest"
        return super().get_group_name(dbt_resource_props)


class PipelineDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt resource without two costs the pipeline pays for nothing, every run:
    running `dbt --version` in a subprocess to learn the version of the dbt installed with it, and
    setting up a dbt adapter in this process, which dagster-dbt uses only to fetch row counts and
    column metadata (not asked for here). Together several seconds before dbt even starts."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None

    def cli(self, args, *, env: Mapping[str, str] | None = None, **kwargs):
        """dbt ARGS, its process given ENV besides this one's environment (dagster-dbt builds
        dbt's environment from os.environ and takes none of its own). ENV is in os.environ only
        while dbt's process starts, which is inside this call, and restored right after: the
        steps after dbt share this process and see none of it."""
        saved = {name: os.environ.get(name) for name in env or {}}
        os.environ.update(env or {})
        try:
            return super().cli(args, **kwargs)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def dbt_resource() -> DbtCliResource:
    # DuckDB whatever SALESPULSE_DBT_TARGET says: the assets after dbt read the DuckDB warehouse.
    return PipelineDbtCliResource(project_dir=dbt_project, target="dev")


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=Translator(),
    pool="warehouse",
    name="dbt_warehouse",
)
def dbt_warehouse(
    context: dg.AssetExecutionContext,
    dbt: PipelineDbtCliResource,
    warehouse: WarehouseResource,
    settings: SettingsParam,
):
    as_of = run_as_of(context, settings)
    fingerprint = build_fingerprint(settings, as_of, dbt_project.manifest_path)
    full = set(context.selected_asset_keys) >= set(context.assets_def.keys)
    consistent = full or (consistent_build(settings) or {}).get("fingerprint") == fingerprint
    if full:
        context.log.info(f"building the warehouse as of {as_of}")
    elif consistent:
        context.log.info(
            f"rebuilding {len(context.selected_asset_keys)} of {len(context.assets_def.keys)} models as of "
            f"{as_of}: the others were built with the same as-of date, vars and code"
        )
    else:
        context.log.warning(
            f"rebuilding {len(context.selected_asset_keys)} of {len(context.assets_def.keys)} models as of "
            f"{as_of}, while the others were built with other vars or code: the next full build (a "
            "schedule, `salespulse run`) makes the warehouse consistent again"
        )
    # Until this build succeeds, no build can be assumed consistent (a failed one leaves a mix).
    forget_consistent_build(settings)
    # Incremental models take only what changed in raw; other code or vars rebuild them whole.
    code = build_fingerprint(settings, as_of, dbt_project.manifest_path, include_as_of=False)
    refresh = incremental_fingerprint(settings) != code
    if refresh:
        context.log.info(
            "rebuilding the incremental models whole: first build, or the dbt code, vars or "
            "calendar changed since they were last built"
        )
        record_incremental_fingerprint(settings, None)
    # What this build will have tested, and whether its tests may skip rows tested before.
    with warehouse.connect() as con:
        try:
            newest = con.execute("select max(file_id) from raw.ingested_files").fetchone()[0]
        except duckdb.CatalogException:  # nothing ever landed
            newest = None
    # The as-of date and the light tests' starting file reach dbt through its environment, not
    # --vars: they change from one run to the next, and any change of --vars makes dbt parse the
    # whole project again (~8 s a run); a changed environment variable re-parses only the files
    # that read it (macros/as_of_date.sql, macros/tests_since.sql). The warehouse is the
    # resource's, the one every other step of the run opens.
    variables = dbt_vars(settings, as_of)
    variables.pop("as_of_date")
    env = {
        **dbt_profile_env(settings),
        "SALESPULSE_WAREHOUSE": warehouse.path,
        "SALESPULSE_DBT_AS_OF": as_of.isoformat(),
        "SALESPULSE_DBT_TESTED_AFTER_FILE_ID": "",
    }
    tested = tested_through(settings)
    if context.job_name in settings.light_test_jobs and tested is not None and not refresh:
        env["SALESPULSE_DBT_TESTED_AFTER_FILE_ID"] = str(tested)
        context.log.info(f"data tests check the rows of files after file {tested} (the others were tested)")
    # Unit tests check the SQL, not the data: `make test` runs them, production builds skip them.
    # dbt's own log file stays at INFO: at DEBUG it writes every query (~10 MB a build, seconds).
    args = [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--vars",
        json.dumps(variables),
        "--log-level-file",
        "info",
        *(["--full-refresh"] if refresh else []),
    ]
    # One target folder under the data home, reused run after run: dbt can parse partially, and
    # the project folder does not fill up with a folder per run.
    target = settings.home / "dbt" / "target"
    yield from dbt.cli(args, context=context, target_path=target, env=env).stream()
    if consistent:
        record_consistent_build(settings, fingerprint, as_of, context.run_id)
    if full and refresh:
        record_incremental_fingerprint(settings, code)
    if full:
        record_tested_through(settings, newest)


# The check digest is written by Dagster into marts too: publish after it.
MART_KEYS = [key for key in dbt_warehouse.keys if key.path[0] == "marts"] + [
    dg.AssetKey(["marts", "dq_check_digest"])
]


@dg.asset(
    key=dg.AssetKey(["analytics", "duckdb"]),
    deps=MART_KEYS,
    group_name="publish",
    pool="warehouse",
    kinds={"duckdb"},
    op_tags=PUBLISH_PRIORITY,
    description=(
        "analytics.duckdb: the marts copied after each build into a file analysts read, with "
        "their descriptions as COMMENT ON (written to a temporary file and renamed into place; "
        "`make sql` opens it)."
    ),
)
def analytics_duckdb(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsParam
) -> dg.MaterializeResult:
    audit_comments = source_comments(dbt_project.manifest_path, "raw", AUDIT_TABLES)
    with warehouse.connect() as con:
        published = publish_analytics(con, settings.analytics_path, audit_comments)
        # What this run's checks found is now in the analysts' digest: not news for later runs.
        confirm_findings(con, context.run_id)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(published["path"]),
            "tables": published["tables"],
            "rows": dg.MetadataValue.json(published["rows"]),
        }
    )
