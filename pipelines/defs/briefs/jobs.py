"""Brief-only jobs, one per brief kind, for re-rendering or backfilling past periods from the UI
or the CLI (`dagster job backfill -j weekly_briefs --partitions 2026-03-09`). The schedules that
run the day — pipeline first, then the brief — are in pipelines/defs/operations/schedules.py."""

import dagster as dg

from pipelines.defs.briefs.assets import brief_key
from salespulse.briefs.kinds import KINDS

BRIEF_JOBS = {
    name: dg.define_asset_job(f"{name}_briefs", selection=[brief_key(kind)]) for name, kind in KINDS.items()
}
brief_jobs = list(BRIEF_JOBS.values())
