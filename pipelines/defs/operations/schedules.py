"""The day, run by schedules in the business timezone and the working-day calendar.

- daily_after_deadline: working days, daily deadline + 30 min: ingest → dbt → checks →
  analytics.duckdb → the day's exception digest. Nothing on a holiday; a 调休 Saturday runs.
- weekly_after_deadline: Mondays, weekly deadline + 30 min: the pipeline, then the team weekly
  briefs of the week just ended.
- monthly_first_workday: 09:00 on the first working day of a month: the pipeline, then the
  monthly review packs of the month just ended.
Files arriving at any other time are picked up by the landing sensor.
"""

from datetime import date, datetime, time, timedelta

import dagster as dg

from pipelines.defs.as_of import AS_OF_TAG
from pipelines.defs.briefs.assets import DAILY_KEY, MONTHLY_KEY, WEEKLY_KEY
from salespulse.calendar import WorkCalendar
from salespulse.config import get_settings

PIPELINE = dg.AssetSelection.all() - dg.AssetSelection.groups("briefs")
GRACE = timedelta(minutes=30)

daily_run = dg.define_asset_job(
    "daily_run",
    selection=PIPELINE | dg.AssetSelection.assets(DAILY_KEY),
    description="The pipeline, then the daily exception digest of the partition's day.",
)
weekly_run = dg.define_asset_job(
    "weekly_run",
    selection=PIPELINE | dg.AssetSelection.assets(WEEKLY_KEY),
    description="The pipeline, then the team weekly briefs of the partition's week.",
)
monthly_run = dg.define_asset_job(
    "monthly_run",
    selection=PIPELINE | dg.AssetSelection.assets(MONTHLY_KEY),
    description="The pipeline, then the monthly review packs of the partition's month.",
)


def _cron(at: time, days: str = "*", weekdays: str = "*") -> str:
    moment = datetime.combine(date(2000, 1, 1), at) + GRACE
    return f"{moment.minute} {moment.hour} {days} * {weekdays}"


def _today(context: dg.ScheduleEvaluationContext) -> date:
    return context.scheduled_execution_time.astimezone(get_settings().tz).date()


def _calendar() -> WorkCalendar:
    return WorkCalendar.from_file(get_settings().calendar_file)


def daily_request(day: date, calendar: WorkCalendar) -> dg.RunRequest | dg.SkipReason:
    if not calendar.is_workday(day):
        return dg.SkipReason(f"{day} is not a working day: no daily run, no digest")
    return dg.RunRequest(
        run_key=f"daily-{day}", partition_key=day.isoformat(), tags={AS_OF_TAG: day.isoformat()}
    )


def weekly_request(day: date) -> dg.RunRequest:
    week_start = day - timedelta(days=day.weekday() + 7)
    return dg.RunRequest(
        run_key=f"weekly-{week_start}",
        partition_key=week_start.isoformat(),
        tags={AS_OF_TAG: day.isoformat()},
    )


def monthly_request(day: date, calendar: WorkCalendar) -> dg.RunRequest | dg.SkipReason:
    first_workday = next(day.replace(day=n) for n in range(1, 32) if calendar.is_workday(day.replace(day=n)))
    if day != first_workday:
        return dg.SkipReason(f"{day} is not the first working day of the month ({first_workday})")
    previous = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
    return dg.RunRequest(
        run_key=f"monthly-{previous:%Y-%m}",
        partition_key=previous.isoformat(),
        tags={AS_OF_TAG: day.isoformat()},
    )


_settings = get_settings()


@dg.schedule(
    job=daily_run,
    cron_schedule=_cron(_settings.daily_deadline),
    execution_timezone=_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Working days, 30 minutes after the daily deadline (SALESPULSE_DAILY_DEADLINE).",
)
def daily_after_deadline(context: dg.ScheduleEvaluationContext):
    return daily_request(_today(context), _calendar())


@dg.schedule(
    job=weekly_run,
    cron_schedule=_cron(_settings.weekly_deadline, weekdays="1"),
    execution_timezone=_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Mondays, 30 minutes after the weekly deadline (SALESPULSE_WEEKLY_DEADLINE).",
)
def weekly_after_deadline(context: dg.ScheduleEvaluationContext):
    return weekly_request(_today(context))


@dg.schedule(
    job=monthly_run,
    cron_schedule="0 9 * * *",
    execution_timezone=_settings.timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="09:00 on the first working day of each month.",
)
def monthly_first_workday(context: dg.ScheduleEvaluationContext):
    return monthly_request(_today(context), _calendar())


run_jobs = [daily_run, weekly_run, monthly_run]
run_schedules = [daily_after_deadline, weekly_after_deadline, monthly_first_workday]
