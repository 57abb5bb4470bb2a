"""Brief-only jobs, for re-rendering or backfilling past periods from the UI or the CLI
(`dagster job backfill -j weekly_briefs --partitions 2026-03-09`). The schedules that run the
day — pipeline first, then the brief — are in pipelines/defs/operations/schedules.py."""

import dagster as dg

from pipelines.defs.briefs.assets import DAILY_KEY, MONTHLY_KEY, WEEKLY_KEY

daily_briefs_job = dg.define_asset_job("daily_briefs", selection=[DAILY_KEY])
weekly_briefs_job = dg.define_asset_job("weekly_briefs", selection=[WEEKLY_KEY])
monthly_briefs_job = dg.define_asset_job("monthly_briefs", selection=[MONTHLY_KEY])

brief_jobs = [daily_briefs_job, weekly_briefs_job, monthly_briefs_job]
