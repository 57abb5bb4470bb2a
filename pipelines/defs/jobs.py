"""Every job and the asset selections they run, in one place.

- salespulse_pipeline: ingest → dbt → checks → analytics.duckdb (what the demo, the poll schedule
  and `salespulse run` start); reprocess: the same after re-reading archived files.
- <kind>_run (daily_run, weekly_run, monthly_run): the pipeline, then one brief kind's asset for
  the partition's period — what the schedules and the landing sensor start.
- <kind>_briefs (daily_briefs, weekly_briefs, monthly_briefs): the brief only, for re-rendering
  or backfilling past periods from the UI or the CLI
  (`dagster job backfill -j weekly_briefs --partitions 2026-03-09`).

Jobs select assets by key and group, never by their definitions: this module imports no domain,
so every domain (the ingest sensor, the operations schedules) may import it, and the domains
never import each other sideways. The brief assets take their group and keys from here.
"""

from __future__ import annotations

import dagster as dg

from salespulse.briefs.kinds import KINDS, BriefKind

BRIEFS_GROUP = "briefs"


def brief_key(kind: BriefKind) -> dg.AssetKey:
    """The asset key of a brief kind's asset (group `briefs`)."""
    return dg.AssetKey([BRIEFS_GROUP, kind.asset])


# Briefs are partitioned by period and run in their own jobs; one job cannot mix partitionings.
PIPELINE = dg.AssetSelection.all() - dg.AssetSelection.groups(BRIEFS_GROUP)


def run_selection(kind: BriefKind) -> dg.AssetSelection:
    """What a kind's run job builds: the pipeline, then the kind's brief."""
    return PIPELINE | dg.AssetSelection.assets(brief_key(kind))


pipeline_job = dg.define_asset_job(
    "salespulse_pipeline",
    selection=PIPELINE,
    description="Ingest landed files, build the warehouse, run the checks, publish analytics.duckdb.",
)

reprocess_job = dg.define_asset_job(
    "reprocess",
    selection=PIPELINE,
    description="Read archived files again under today's contracts (by default every quarantined "
    "file; set reprocess_file_ids or reprocess_kind in the config), then rebuild like the pipeline.",
    config={"ops": {"ingest_landing": {"config": {"reprocess_quarantined": True}}}},
)


def _run_job(kind: BriefKind):
    return dg.define_asset_job(
        f"{kind.name}_run",
        selection=run_selection(kind),
        description=f"The pipeline, then the {kind.asset.replace('_', ' ')} of the partition's period.",
    )


RUN_JOBS = {name: _run_job(kind) for name, kind in KINDS.items()}
daily_run, weekly_run, monthly_run = RUN_JOBS["daily"], RUN_JOBS["weekly"], RUN_JOBS["monthly"]

BRIEF_JOBS = {
    name: dg.define_asset_job(f"{name}_briefs", selection=[brief_key(kind)]) for name, kind in KINDS.items()
}

run_jobs = list(RUN_JOBS.values())
brief_jobs = list(BRIEF_JOBS.values())
all_jobs = [pipeline_job, reprocess_job, *run_jobs, *brief_jobs]
