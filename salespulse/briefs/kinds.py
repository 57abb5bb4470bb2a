"""The brief kinds, each declared once: its grain, who gets one (scopes), the data loader, the
sections in order, what "needs attention" ranks, the recipients rule, the schedule and the marts
it reads. The Dagster assets, jobs and schedules (pipelines/defs/briefs, jobs.py, operations) and the
publisher (publish.py) are built from this table; the one template lays out any section list.

Adding a brief kind: an entry here, its loader in data.py (or an existing one), any new section
builder in render.py, and its labels in i18n.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from salespulse.briefs import data as D


@dataclass(frozen=True)
class Schedule:
    """When the kind's run starts, in the business timezone.

    rule: after_daily_deadline (working days, the daily deadline + grace)
        | after_weekly_deadline (Mondays, the weekly deadline + grace; the week before)
        | first_workday (a fixed time on the first working day of a month; the month before)
    """

    rule: str
    at: str | None = None  # HH:MM for first_workday


@dataclass(frozen=True)
class BriefKind:
    name: str  # daily | weekly | monthly: also the i18n title key <name>_title
    grain: str  # day | week | month
    asset: str  # Dagster asset name, key briefs/<asset>
    scopes: tuple[str, ...]  # team | region | company
    load: Callable  # (con, scope, period_start) -> data
    sections: tuple[str, ...]  # render.SECTIONS names, after "needs attention"
    attention: tuple[str, ...]  # attention finders, in rank order
    schedule: Schedule
    marts: tuple[str, ...]  # dbt models read (asset dependencies)
    description: str
    key_figures: int = 4  # headline cards shown in the mail and the asset's preview
    chart_scope: str = "team"  # which brief's main chart the asset's preview shows

    def period(self, start) -> D.Period:
        return {"day": D.Period.day, "week": D.Period.week, "month": D.Period.month}[self.grain](start)

    def scopes_of(self, con, period: D.Period) -> list[D.Scope]:
        found: list[D.Scope] = []
        if "team" in self.scopes:
            found += D.team_scopes(con, period)
        if "region" in self.scopes:
            found += D.region_scopes(con, period)
        if "company" in self.scopes:
            found.append(D.company_scope())
        return found


_COMMON = ("dim_reps", "dim_teams", "fct_action_items", "fct_orders", "dq_submissions", "dq_anomalies")
_SHARED_ATTENTION = ("behind_pace", "no_report", "sales_drop", "overdue_receivables", "overdue_actions")

DAILY = BriefKind(
    name="daily",
    grain="day",
    asset="daily_exception_digest",
    scopes=("team",),
    load=D.load_daily,
    sections=("cards_daily", "daily_exceptions", "completeness"),
    attention=("missing_today", "no_report", "zero_visits", "error_finding", "unknown_rep_orders"),
    schedule=Schedule("after_daily_deadline"),
    marts=("kpi_rep_daily", "kpi_team_weekly", "dim_dates", *_COMMON),
    description="每日异常清单 Daily exception digest per team (working days, after the daily deadline): "
    "who has not reported, zero-activity streaks, anomalies.",
)

WEEKLY = BriefKind(
    name="weekly",
    grain="week",
    asset="team_weekly_brief",
    scopes=("team",),
    load=D.load_weekly,
    sections=(
        "cards",
        "forecast",
        "leaderboard",
        "reps_week",
        "weekly_chart",
        "below_target",
        "key_customers",
        "actions",
        "completeness",
    ),
    attention=(*_SHARED_ATTENTION, "unknown_rep_orders"),
    schedule=Schedule("after_weekly_deadline"),
    marts=(
        "kpi_team_weekly",
        "kpi_rep_weekly",
        "kpi_team_monthly",
        "kpi_rep_monthly",
        "kpi_team_quarterly",
        "kpi_rep_quarterly",
        "fct_weekly_reports",
        "fct_opportunity_history",
        *_COMMON,
    ),
    description="团队周度业绩简报 Team weekly brief per team (Monday after the weekly deadline): attention "
    "items, month- and quarter-end forecast, leaderboard, reps below target and their obstacles.",
)

MONTHLY = BriefKind(
    name="monthly",
    grain="month",
    asset="monthly_review_pack",
    scopes=("team", "region", "company"),
    load=D.load_monthly,
    sections=(
        "cards",
        "trend_chart",
        "team_summary",
        "personal",
        "completion_charts",
        "targets",
        "share_charts",
        "forecast",
        "top_low",
        "actions",
        "completeness",
    ),
    attention=(
        "missed_target",
        "no_report",
        "sales_drop",
        "overdue_receivables",
        "overdue_actions",
        "unknown_rep_orders",
    ),
    schedule=Schedule("first_workday", at="09:00"),
    marts=(
        "kpi_team_monthly",
        "kpi_rep_monthly",
        "kpi_region_monthly",
        "kpi_company_monthly",
        "kpi_product_monthly",
        "kpi_team_quarterly",
        "kpi_rep_quarterly",
        "kpi_region_quarterly",
        "kpi_company_quarterly",
        "fct_targets",
        "fct_opportunity_history",
        "dim_customers",
        *_COMMON,
    ),
    description="月度业绩复盘 Monthly review pack per team, per region and for the company: attention items, "
    "the seed's three tables, charts, quarter-end forecast, top/low performers, action items.",
    key_figures=5,
    chart_scope="company",
)

KINDS: dict[str, BriefKind] = {kind.name: kind for kind in (DAILY, WEEKLY, MONTHLY)}
