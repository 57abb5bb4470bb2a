"""What a brief shows, read from the marts into plain dataclasses (no Dagster, no rendering).

Every query lives in `sql/`, with bound parameters; the only text substituted is a mart name
from a fixed allow-list (the grain of a KPI mart, the data-quality tables). The connection is
opened read-only and closed as soon as the brief's data is in memory, so briefs never hold the
warehouse while dbt wants to write it.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from salespulse.marts import Marts

SQL_DIR = Path(__file__).with_name("sql")
GRAINS = {"day": "daily", "week": "weekly", "month": "monthly"}
COMPANY_ID = "COMPANY"
Row = dict[str, Any]

# Data-quality marts built by dbt_project/models/quality (schema `marts`, or `quality`).
DQ_TABLES = ("dq_submissions", "dq_anomalies")
STREAK_KINDS = ("zero", "streak")


@cache
def _sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


_IDENTIFIER = re.compile(r"^(marts|quality)\.[a-z_]+$|^(daily|weekly|monthly|quarterly)$")


def query(con: Marts, name: str, params: dict | None = None, **idents: str) -> list[Row]:
    """Run sql/<name>.sql with bound parameters; returns rows as dicts (Decimal, date kept).
    Same rows in the same order on every read and engine: every ORDER BY names a key of its
    result, so the render cache, keyed by the loaded data, does not miss
    (tests/salespulse/briefs/test_briefs.py checks the keys)."""
    for value in idents.values():
        if not _IDENTIFIER.match(value):
            raise ValueError(f"not an allowed identifier: {value!r}")
    sql = _sql_text(name).format(**idents) if idents else _sql_text(name)
    used = set(re.findall(r"\$(\w+)", sql))
    bound = {k: v for k, v in (params or {}).items() if k in used}
    missing = used - bound.keys()
    if missing:
        raise ValueError(f"{name}.sql needs parameters {sorted(missing)}")
    return con.records(sql, bound)


def find_table(con: Marts, table: str) -> str | None:
    """`schema.table` of a data-quality mart, or None while it is not built."""
    rows = con.execute(
        "select table_schema from information_schema.tables where table_name = ? "
        "and table_schema in ('marts', 'quality') order by table_schema = 'marts' desc",
        [table],
    ).rows
    return f"{rows[0][0]}.{table}" if rows else None


# ---------------------------------------------------------------------------------------------
# periods and scopes


@dataclass(frozen=True)
class Period:
    grain: str  # day | week | month
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.grain == "day":
            return self.start.isoformat()
        if self.grain == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start:%Y-%m}"

    @property
    def kind(self) -> str:
        return GRAINS[self.grain]

    @classmethod
    def day(cls, day: date) -> Period:
        return cls("day", day, day)

    @classmethod
    def week(cls, any_day: date) -> Period:
        monday = any_day - timedelta(days=any_day.weekday())
        return cls("week", monday, monday + timedelta(days=6))

    @classmethod
    def month(cls, any_day: date) -> Period:
        first = any_day.replace(day=1)
        return cls("month", first, add_months(first, 1) - timedelta(days=1))


def add_months(first_of_month: date, months: int) -> date:
    ordinal = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(ordinal // 12, ordinal % 12 + 1, 1)


@dataclass(frozen=True)
class Scope:
    kind: str  # team | region | company
    entity_id: str  # team_id, region name, or COMPANY
    name: str
    region: str | None = None

    @property
    def file_stem(self) -> str:
        """The file name a brief of this scope gets: team id, region, or `company`."""
        stem = "company" if self.kind == "company" else self.entity_id
        return re.sub(r'[\\/:*?"<>|\s]+', "_", stem)


def team_scopes(con: Marts, period: Period) -> list[Scope]:
    """Teams with members in the period (for a day: in the day's ISO week; there is no team-day mart)."""
    if period.grain == "day":
        period = Period.week(period.start)
    rows = query(con, "teams_in_period", {"period_start": period.start}, grain=period.kind)
    return [Scope("team", r["team_id"], r["team_name"] or r["team_id"], r["region"]) for r in rows]


def region_scopes(con: Marts, period: Period) -> list[Scope]:
    rows = query(con, "regions_in_period", {"period_start": period.start})
    return [Scope("region", r["region"], r["region"], r["region"]) for r in rows]


def company_scope() -> Scope:
    return Scope("company", COMPANY_ID, COMPANY_ID)


def is_workday(con: Marts, day: date) -> tuple[bool, str] | None:
    """(is_workday, day_kind) from the warehouse calendar, or None for a day it does not cover."""
    rows = query(con, "is_workday", {"day": day})
    return (bool(rows[0]["is_workday"]), rows[0]["day_kind"]) if rows else None


# ---------------------------------------------------------------------------------------------
# completeness


def _normalise_anomaly(row: Row) -> Row:
    """dq_anomalies with the names the briefs use (value, baseline), whatever optional columns exist."""
    return {
        **row,
        "value": row.get("measured_value", row.get("value")),
        "baseline": row.get("baseline_value", row.get("baseline")),
        "category": row.get("category") or "data_quality",
        "severity": str(row.get("severity") or "warn").lower(),
    }


@dataclass
class Completeness:
    """How complete the figures are: late/missing reports, failed checks, an open period."""

    available: bool
    period_open: bool = False
    measured_through: date | None = None
    expected: int = 0
    on_time: int = 0
    late: list[Row] = field(default_factory=list)
    missing: list[Row] = field(default_factory=list)
    failed_checks: list[Row] = field(default_factory=list)
    unknown_orders: list[Row] = field(default_factory=list)

    @property
    def unknown_amount(self) -> float:
        return sum(float(o["amount"] or 0) for o in self.unknown_orders)

    @property
    def provisional(self) -> bool:
        return self.period_open or bool(self.late or self.missing or self.failed_checks)


def load_completeness(
    con: Marts,
    scope: Scope,
    period: Period,
    kpi_row: Row | None,
    report_types: tuple[str, ...],
) -> tuple[Completeness, list[Row], list[Row]]:
    """The completeness block, plus all submissions and anomalies (the daily digest lists them)."""
    period_open = bool(kpi_row) and not kpi_row.get("is_closed", True)
    measured = kpi_row.get("measured_through_date") if kpi_row else None
    tables = {name: find_table(con, name) for name in DQ_TABLES}
    if not all(tables.values()):
        return Completeness(available=False, period_open=period_open, measured_through=measured), [], []
    params = {
        "scope": scope.kind,
        "entity_id": scope.entity_id,
        "period_start": period.start,
        "period_end": period.end,
    }
    submissions = [
        r
        for r in query(con, "submissions", params, dq_submissions=tables["dq_submissions"])
        if r["report_type"] in report_types
    ]
    anomalies = [
        _normalise_anomaly(r) for r in query(con, "anomalies", params, dq_anomalies=tables["dq_anomalies"])
    ]
    completeness = Completeness(
        available=True,
        period_open=period_open,
        measured_through=measured,
        expected=len(submissions),
        on_time=sum(r["status"] == "on_time" for r in submissions),
        late=[r for r in submissions if r["status"] == "late"],
        missing=[r for r in submissions if r["status"] == "missing"],
        failed_checks=[r for r in anomalies if r["severity"] == "error" and r["category"] != "performance"],
    )
    return completeness, submissions, anomalies


# ---------------------------------------------------------------------------------------------
# the three briefs


@dataclass
class Outlook:
    """The month and the quarter the brief's period falls in, as of the brief's as-of date: what
    the forecast reads. `reps`/`teams` are the scope's rows of those periods; `pipeline` maps a
    rep to the stage-weighted amount of open deals due by the period's end."""

    month: Row | None = None
    quarter: Row | None = None
    month_reps: list[Row] = field(default_factory=list)
    quarter_reps: list[Row] = field(default_factory=list)
    quarter_teams: list[Row] = field(default_factory=list)
    month_pipeline: dict[str, float] = field(default_factory=dict)
    quarter_pipeline: dict[str, float] = field(default_factory=dict)


@dataclass
class DailyData:
    scope: Scope
    period: Period
    is_workday: bool
    day_kind: str | None
    reps: list[Row]
    completeness: Completeness
    late_or_missing: list[Row]
    streaks: list[Row]
    anomalies: list[Row]
    no_report: list[Row] = field(default_factory=list)
    as_of: date | None = None

    @property
    def exception_count(self) -> int:
        return len(self.late_or_missing) + len(self.streaks) + len(self.anomalies)


@dataclass
class WeeklyData:
    scope: Scope
    period: Period
    kpis: Row
    reps: list[Row]
    weekly_reports: dict[str, Row]
    below_target: list[Row]
    actions: list[Row]
    completeness: Completeness
    weekly_status: dict[str, str]
    previous_sales: dict[str, float] = field(default_factory=dict)
    no_report: list[Row] = field(default_factory=list)
    outlook: Outlook = field(default_factory=Outlook)
    as_of: date | None = None


@dataclass
class MonthlyData:
    scope: Scope
    period: Period
    kpis: Row
    reps: list[Row]
    teams: list[Row]
    regions: list[Row]
    trend: list[Row]
    products: list[Row]
    metric_targets: list[Row]
    rep_targets: dict[str, dict[str, Row]]
    sources: dict[str, Row]
    # 需辅导: rep_id → the needs_coaching finding (dq_anomalies) covering this month and the one
    # before; empty while the data-quality marts are not built.
    needs_coaching: dict[str, Row]
    actions: list[Row]
    completeness: Completeness
    previous_sales: dict[str, float] = field(default_factory=dict)
    no_report: list[Row] = field(default_factory=list)
    outlook: Outlook = field(default_factory=Outlook)
    as_of: date | None = None


_PERIOD_QUERY = {"team": "team_period", "region": "region_period", "company": "company_period"}


def _kpi_row(con, scope: Scope, period: Period | None = None, *, grain: str = "", start: date | None = None):
    grain = grain or period.kind
    start = start or period.start
    rows = query(
        con, _PERIOD_QUERY[scope.kind], {"entity_id": scope.entity_id, "period_start": start}, grain=grain
    )
    if not rows:
        raise LookupError(f"no {grain} KPI row for {scope.kind} {scope.entity_id} {start}")
    return rows[0]


def _scope_params(scope: Scope, period: Period) -> dict:
    return {
        "scope": scope.kind,
        "entity_id": scope.entity_id,
        "period_start": period.start,
        "period_end": period.end,
        "period_label": period.label,
        "region": scope.region,
    }


def quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _pipeline(con, on_day: date, period_end: date) -> dict[str, float]:
    rows = query(con, "pipeline_due", {"on_day": on_day, "period_end": period_end})
    return {r["rep_id"]: float(r["weighted_due"] or 0) for r in rows}


def load_outlook(con, scope: Scope, day: date, *, with_month: bool = True) -> Outlook:
    """The scope's month and quarter containing `day`, as the marts measure them (to the as-of
    date of the build), with the weighted pipeline due by each period's end."""
    outlook = Outlook()
    month = Period.month(day)
    q_start = quarter_start(day)
    q_end = add_months(q_start, 3) - timedelta(days=1)
    params = {**_scope_params(scope, month)}
    if with_month:
        outlook.month = _kpi_row(con, scope, month)
        outlook.month_reps = query(con, "reps_in_period", params, grain="monthly")
        outlook.month_pipeline = _pipeline(con, outlook.month["measured_through_date"], month.end)
    try:
        outlook.quarter = _kpi_row(con, scope, grain="quarterly", start=q_start)
    except LookupError:
        return outlook
    q_params = {**params, "period_start": q_start, "period_end": q_end}
    outlook.quarter_reps = query(con, "reps_in_period", q_params, grain="quarterly")
    if scope.kind != "team":
        outlook.quarter_teams = query(con, "teams_summary", q_params, grain="quarterly")
    outlook.quarter_pipeline = _pipeline(con, outlook.quarter["measured_through_date"], q_end)
    return outlook


def _previous_sales(con, grain: str, previous_start: date) -> dict[str, float]:
    rows = query(con, "rep_previous_period", {"previous_start": previous_start}, grain=grain)
    return {r["rep_id"]: float(r["sales_amount"] or 0) for r in rows}


def _no_report(con, scope: Scope, as_of: date) -> list[Row]:
    table = find_table(con, "dq_submissions")
    if table is None:
        return []
    params = {"scope": scope.kind, "entity_id": scope.entity_id, "as_of": as_of}
    return query(con, "missing_report_streaks", params, dq_submissions=table)


def unknown_rep_orders(con, period: Period, as_of: date) -> list[Row]:
    params = {"period_start": period.start, "period_end": period.end, "as_of": as_of}
    return query(con, "unknown_rep_orders", params)


def _needs_coaching(con, period: Period) -> dict[str, Row]:
    """需辅导 as the data-quality mart finds it (the rule lives in dbt, models/quality/dq_anomalies):
    each rep whose run of months below the coaching threshold covers the period and the month
    before it."""
    table = find_table(con, "dq_anomalies")
    if table is None:
        return {}
    rows = query(con, "needs_coaching", {"period_start": period.start}, dq_anomalies=table)
    return {r["rep_id"]: r for r in rows}


def load_daily(con: Marts, scope: Scope, day: date) -> DailyData:
    period = Period.day(day)
    calendar = is_workday(con, day)
    workday, day_kind = calendar if calendar else (day.weekday() < 5, None)
    params = _scope_params(scope, period)
    reps = query(con, "daily_reps", params)
    completeness, submissions, anomalies = load_completeness(con, scope, period, None, ("daily",))
    completeness.unknown_orders = unknown_rep_orders(con, period, day)
    late_or_missing = [r for r in submissions if r["status"] in ("late", "missing")]
    # Performance flags (behind pace, needs coaching) belong to the weekly and monthly briefs.
    findings = [r for r in anomalies if r["category"] != "performance"]
    streaks = [r for r in findings if any(k in str(r["kind"]).lower() for k in STREAK_KINDS)]
    others = [r for r in findings if r not in streaks]
    return DailyData(
        scope,
        period,
        workday,
        day_kind,
        reps,
        completeness,
        late_or_missing,
        streaks,
        others,
        _no_report(con, scope, day),
        day,
    )


def load_weekly(con: Marts, scope: Scope, week_start: date) -> WeeklyData:
    period = Period.week(week_start)
    kpis = _kpi_row(con, scope, period)
    as_of = kpis["measured_through_date"]
    params = _scope_params(scope, period)
    reps = query(con, "reps_in_period", params, grain="weekly")
    reports = {r["rep_id"]: r for r in query(con, "weekly_reports", params)}
    below = [
        {**rep, "report": reports.get(rep["rep_id"])}
        for rep in reps
        if rep["target_amount"] is not None
        and rep["completion_rate"] is not None
        and rep["completion_rate"] < 1
    ]
    below.sort(key=lambda r: r["completion_rate"])
    actions = query(con, "action_items", params)
    completeness, submissions, _ = load_completeness(con, scope, period, kpis, ("daily", "weekly"))
    completeness.unknown_orders = unknown_rep_orders(con, period, as_of)
    weekly_status = {r["rep_id"]: r["status"] for r in submissions if r["report_type"] == "weekly"}
    return WeeklyData(
        scope,
        period,
        kpis,
        reps,
        reports,
        below,
        actions,
        completeness,
        weekly_status,
        _previous_sales(con, "weekly", period.start - timedelta(days=7)),
        _no_report(con, scope, as_of),
        # The month of the week's Friday: the week ending Sunday 1 November belongs to October.
        load_outlook(con, scope, min(period.start + timedelta(days=4), as_of)),
        as_of,
    )


def load_monthly(con: Marts, scope: Scope, month: date) -> MonthlyData:
    period = Period.month(month)
    kpis = _kpi_row(con, scope, period)
    as_of = kpis["measured_through_date"]
    params = {
        **_scope_params(scope, period),
        "first_month": add_months(period.start, -11),
        "measured_through": as_of,
    }
    reps = query(con, "reps_in_period", params, grain="monthly")
    teams = query(con, "teams_summary", params, grain="monthly")
    regions = query(con, "regions_summary", params, grain="monthly") if scope.kind == "company" else []
    trend = query(con, f"trend_{scope.kind}", params)
    if scope.kind == "company":
        products = query(con, "product_share_company", params)
    else:
        products = query(con, "product_share", params)
    metric_targets = query(con, "metric_targets", params)
    rep_ids = {r["rep_id"] for r in reps}
    rep_targets: dict[str, dict[str, Row]] = {}
    for row in query(con, "rep_metric_targets", params):
        if row["rep_id"] in rep_ids:
            rep_targets.setdefault(row["rep_id"], {})[row["metric"]] = row
    sources = {r["rep_id"]: r for r in query(con, "new_customer_sources", params)}
    previous_rows = query(
        con, "rep_previous_period", {"previous_start": add_months(period.start, -1)}, grain="monthly"
    )
    previous_sales = {r["rep_id"]: float(r["sales_amount"] or 0) for r in previous_rows}
    actions = query(con, "action_items", params)
    completeness, _, _ = load_completeness(con, scope, period, kpis, ("daily", "weekly"))
    completeness.unknown_orders = unknown_rep_orders(con, period, as_of)
    return MonthlyData(
        scope,
        period,
        kpis,
        reps,
        teams,
        regions,
        trend,
        products,
        metric_targets,
        rep_targets,
        sources,
        _needs_coaching(con, period),
        actions,
        completeness,
        previous_sales,
        _no_report(con, scope, as_of),
        load_outlook(con, scope, as_of, with_month=False),
        as_of,
    )


def recipients(con: Marts, scope: Scope, as_of: date) -> list[Row]:
    return query(con, "recipients", {"scope": scope.kind, "entity_id": scope.entity_id, "as_of": as_of})


def median(values: list) -> float | None:
    clean = [float(v) for v in values if v is not None]
    return statistics.median(clean) if clean else None
