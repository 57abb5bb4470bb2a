"""The day, run by schedules in the business timezone and the working-day calendar: one schedule
per brief kind, built from its declaration (salespulse.briefs.kinds), each starting the kind's
run job (pipelines/defs/jobs.py).

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
from pipelines.defs.jobs import RUN_JOBS
from salespulse.briefs.kinds import KINDS, BriefKind
from salespulse.calendar import WorkCalendar
from salespulse.config import Settings

GRACE = timedelta(minutes=30)


def _cron(at: time, days: str = "*", weekdays: str = "*") -> str:
    moment = datetime.combine(date(2000, 1, 1), at) + GRACE
    return f"{moment.minute} {moment.hour} {days} * {weekdays}"


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


# A kind's schedule rule → (schedule name, cron, what the tick requests, description), from the
# kind's schedule S and the settings (deadlines, calendar).
_RULES = {
    "after_daily_deadline": lambda s, settings: (
        "daily_after_deadline",
        _cron(settings.daily_deadline),
        lambda day: daily_request(day, settings.work_calendar()),
        "Working days, 30 minutes after the daily deadline (SALESPULSE_DAILY_DEADLINE).",
    ),
    "after_weekly_deadline": lambda s, settings: (
        "weekly_after_deadline",
        _cron(settings.weekly_deadline, weekdays="1"),
        weekly_request,
        "Mondays, 30 minutes after the weekly deadline (SALESPULSE_WEEKLY_DEADLINE).",
    ),
    "first_workday": lambda s, settings: (
        "monthly_first_workday",
        f"{int(s.at[3:])} {int(s.at[:2])} * * *",
        lambda day: monthly_request(day, settings.work_calendar()),
        f"{s.at} on the first working day of each month.",
    ),
}


def build_schedule(kind: BriefKind, settings: Settings) -> dg.ScheduleDefinition:
    name, cron, request, description = _RULES[kind.schedule.rule](kind.schedule, settings)

    @dg.schedule(
        name=name,
        job=RUN_JOBS[kind.name],
        cron_schedule=cron,
        execution_timezone=settings.timezone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=description,
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        return request(context.scheduled_execution_time.astimezone(settings.tz).date())

    return _schedule


def build_run_schedules(settings: Settings) -> dict[str, dg.ScheduleDefinition]:
    """One schedule per brief kind, by kind name (daily, weekly, monthly)."""
    return {name: build_schedule(kind, settings) for name, kind in KINDS.items()}
