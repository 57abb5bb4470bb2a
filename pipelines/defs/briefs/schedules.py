"""When briefs go out: the daily digest 30 minutes after the daily deadline, the weekly brief
30 minutes after the Monday weekly deadline (for the week just ended), the monthly pack on the
1st at 09:00 (for the month just ended). All in the business timezone."""

from __future__ import annotations

from datetime import datetime, timedelta

import dagster as dg

from pipelines.defs.briefs.assets import DAILY_KEY, MONTHLY_KEY, WEEKLY_KEY
from salespulse.config import get_settings

GRACE = timedelta(minutes=30)


def _after(deadline) -> datetime:
    return datetime(2000, 1, 1, deadline.hour, deadline.minute) + GRACE


daily_briefs_job = dg.define_asset_job("daily_briefs", selection=[DAILY_KEY])
weekly_briefs_job = dg.define_asset_job("weekly_briefs", selection=[WEEKLY_KEY])
monthly_briefs_job = dg.define_asset_job("monthly_briefs", selection=[MONTHLY_KEY])

_settings = get_settings()
_daily_at = _after(_settings.daily_deadline)
_weekly_at = _after(_settings.weekly_deadline)

daily_briefs_schedule = dg.build_schedule_from_partitioned_job(
    daily_briefs_job, hour_of_day=_daily_at.hour, minute_of_hour=_daily_at.minute
)
weekly_briefs_schedule = dg.build_schedule_from_partitioned_job(
    weekly_briefs_job, day_of_week=1, hour_of_day=_weekly_at.hour, minute_of_hour=_weekly_at.minute
)
monthly_briefs_schedule = dg.build_schedule_from_partitioned_job(
    monthly_briefs_job, day_of_month=1, hour_of_day=9, minute_of_hour=0
)

brief_jobs = [daily_briefs_job, weekly_briefs_job, monthly_briefs_job]
brief_schedules = [daily_briefs_schedule, weekly_briefs_schedule, monthly_briefs_schedule]
