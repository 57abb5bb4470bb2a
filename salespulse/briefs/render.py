"""Briefs as HTML (Jinja2, autoescaped), PDF (WeasyPrint, from the same HTML), the e-mail body
(a phone-width summary, CSS inlined by css-inline) and XLSX (xlsxwriter).

A brief is a list of sections. A brief kind (kinds.py) names its sections in order; each name
is a builder here that turns the brief's data into a card grid, a table, charts or sentences.
The weekly brief and the monthly pack share their builders (attention, cards, forecast,
actions, completeness), and every table's columns are declared once in tables.py for both the
HTML and the XLSX. One template lays out any brief; everything here is pure: data in, bytes out.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import xlsxwriter
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from salespulse.briefs import analysis, attention, charts, forecast
from salespulse.briefs import tables as T
from salespulse.briefs.data import Period, Row, Scope
from salespulse.briefs.i18n import DASH, Locale
from salespulse.config import RESOURCE_ROOT, Thresholds

REPORTS_DIR = RESOURCE_ROOT / "reports"
TEMPLATES_DIR = REPORTS_DIR / "templates"
STYLESHEET = REPORTS_DIR / "styles" / "brief.css"
EMAIL_STYLESHEET = REPORTS_DIR / "styles" / "email.css"

# Characters that make a spreadsheet (or a CSV opened in one) treat text as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_TABLE_ROWS = 25


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class BriefSettings:
    """The thresholds the briefs apply: settings declared in config.Thresholds (their defaults are
    the declared ones). `coaching_completion` picks the reps the monthly pack lists as below it;
    who needs coaching (below it two months running) is the data-quality mart's finding."""

    coaching_completion: float = Thresholds.coaching_completion
    attention_items: int = Thresholds.attention_items
    new_hire_months: int = Thresholds.new_hire_months
    no_report_days: int = Thresholds.no_report_days
    sales_drop_share: float = Thresholds.sales_drop_share

    @classmethod
    def from_settings(cls, settings) -> BriefSettings:
        return cls(
            coaching_completion=settings.coaching_completion,
            attention_items=settings.attention_items,
            new_hire_months=settings.new_hire_months,
            no_report_days=settings.no_report_days,
            sales_drop_share=settings.sales_drop_share,
        )


@cache
def _environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def _css(path: Path) -> Markup:
    # Our own file, inlined verbatim (escaping would break its quoted font names).
    return Markup(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# the brief


@dataclass
class Section:
    kind: str  # cards | table | charts | findings | attention | note | completeness
    title: str = ""
    hint: str = ""
    body: Any = None
    table: T.Table | None = None
    note: str = ""
    keep: bool = False  # keep on one page


@dataclass
class Brief:
    kind: str  # daily | weekly | monthly
    scope: Scope
    period: Period
    locale: Locale
    title: str
    scope_name: str
    period_text: str
    as_of: date | None
    sections: list[Section]
    key_figures: list[tuple[str, str]]
    attention: list[dict] = field(default_factory=list)
    main_chart: bytes | None = None
    provisional: bool = False
    generated_at: datetime | None = None
    timings: dict[str, float] = field(default_factory=dict)
    html: str = ""

    @property
    def subtitle(self) -> str:
        return f"{self.scope_name} · {self.period_text}"

    @property
    def tables(self) -> list[T.Table]:
        return [s.table for s in self.sections if s.table is not None]

    def pdf(self) -> bytes:
        from weasyprint import HTML

        return HTML(string=self.html, base_url=str(REPORTS_DIR)).write_pdf()

    def xlsx(self) -> bytes:
        return xlsx_bytes(self)

    def email_html(self) -> str:
        """The mail body: attention, figures, the main chart; styles inlined, no <style> left."""
        import css_inline

        cards = next((s.body for s in self.sections if s.kind == "cards"), [])
        html = (
            _environment()
            .get_template("email.html.j2")
            .render(css=_css(EMAIL_STYLESHEET), b=self, t=self.locale, cards=cards)
        )
        return css_inline.inline(html, keep_style_tags=False, load_remote_stylesheets=False)

    def text(self) -> str:
        """The plain-text part: the same summary as the mail body."""
        t = self.locale
        lines = [f"{self.title} · {self.subtitle}", ""]
        if self.attention:
            lines += [t("sec_attention"), *(f"{i}. {a['text']}" for i, a in enumerate(self.attention, 1)), ""]
        lines += [t("sec_kpis"), *(f"- {label}: {value}" for label, value in self.key_figures)]
        if self.provisional:
            lines += ["", f"{t('provisional_note')} {t('provisional')}"]
        lines += ["", t("read_online")]
        return "\n".join(lines)


def scope_name(scope: Scope, t: Locale) -> str:
    if scope.kind == "company":
        return t("company_name")
    if scope.kind == "region":
        return f"{scope.name}{'区域' if t.is_zh else ' region'}"
    return scope.name


def period_text(period: Period, t: Locale) -> str:
    if period.grain == "day":
        return t.day_title(period.start)
    if period.grain == "week":
        return t.week_title(period.start, period.end)
    return t.month_title(period.start)


def _card(label: str, value: str, sub: str = "", tone: str = "", provisional: bool = False) -> dict:
    return {"label": label, "value": value, "sub": sub, "tone": tone, "provisional": provisional}


def _tone(completion, progress) -> str:
    if completion is None:
        return ""
    return T.tone(completion, T.Col("x", "x", tone="completion"), progress)


def rep_label(row: Row) -> str:
    return row.get("rep_name") or row.get("rep_id") or ""


# ---------------------------------------------------------------------------------------------
# attention


def format_value(value: attention.Value, t: Locale) -> str:
    kind, v = value.kind, value.value
    if kind == "money":
        return t.money(v)
    if kind == "pct":
        return t.percent(v, 0)
    if kind == "points":
        return t.points(v)
    if kind == "int":
        return t.number(v)
    if kind == "date":
        return t.table_date(v)
    return str(v)


def attention_items(data, kind: str, order: tuple[str, ...], s: BriefSettings) -> list[attention.Item]:
    """The candidates of every finder the kind lists, ranked."""
    A = attention
    as_of = data.as_of or data.period.end
    c = data.completeness
    if kind == "daily":
        candidates = {
            "missing_today": A.missing_today(data.late_or_missing),
            "no_report": A.no_report(data.no_report, s.no_report_days),
            "zero_visits": A.zero_visit_streaks(data.streaks),
            "error_finding": A.error_findings(data.anomalies),
        }
    else:
        # The month the pace is read on: the weekly brief's month to date, the pack's own month.
        if kind == "weekly":
            month = data.outlook.month or {}
            pace_reps = [r for r in data.outlook.month_reps if r.get("role") == "rep"]
        else:
            month, pace_reps = data.kpis, [r for r in data.reps if r.get("role") == "rep"]
        closed = bool(month.get("is_closed", True))
        candidates = {
            "behind_pace": A.behind_pace(pace_reps, closed=closed),
            "no_report": A.no_report(data.no_report, s.no_report_days),
            "sales_drop": A.biggest_drop(data.reps, data.previous_sales, s.sales_drop_share),
            "overdue_receivables": A.overdue_receivables(pace_reps),
            "overdue_actions": A.overdue_actions(data.actions, as_of),
        }
        candidates["missed_target"] = candidates["behind_pace"]
    candidates["unknown_rep_orders"] = A.unknown_rep_orders(c.unknown_orders)
    return A.rank(candidates, order, s.attention_items)


def _attention_section(items: list[attention.Item], t: Locale) -> tuple[Section, list[dict]]:
    rendered = [
        {"text": t(i.label, **{k: format_value(v, t) for k, v in i.values.items()}), "tone": i.tone}
        for i in items
    ]
    return Section("attention", t("sec_attention"), body=rendered, keep=True), rendered


# ---------------------------------------------------------------------------------------------
# section builders: (ctx) -> Section | list[Section] | None


@dataclass
class Ctx:
    kind: str
    data: Any
    t: Locale
    s: BriefSettings
    charts: dict[str, bytes] = field(default_factory=dict)

    @property
    def k(self) -> Row:
        return self.data.kpis

    @property
    def prov(self) -> bool:
        return self.data.completeness.provisional


def cards_daily(ctx: Ctx) -> Section:
    t, data = ctx.t, ctx.data
    c = data.completeness
    expected = c.expected if c.available else sum(r["daily_reports_expected"] for r in data.reps)
    on_time = c.on_time if c.available else sum(r["daily_reports_on_time"] for r in data.reps)
    cards = [
        _card(t("reports_expected"), t.number(expected)),
        _card(
            t("reports_on_time"), t.number(on_time), tone="good" if expected and on_time == expected else ""
        ),
        _card(
            t("reports_late"), t.number(len(c.late)) if c.available else DASH, tone="warn" if c.late else ""
        ),
        _card(
            t("reports_missing"),
            t.number(len(c.missing)) if c.available else DASH,
            tone="bad" if c.missing else "",
        ),
        _card(t("visits"), t.number(sum(r["visits"] for r in data.reps)), provisional=c.provisional),
        _card(t("calls"), t.number(sum(r["calls"] for r in data.reps)), provisional=c.provisional),
    ]
    return Section("cards", t("sec_kpis"), body=cards)


def cards_period(ctx: Ctx) -> Section:
    """The weekly and monthly headline figures."""
    t, k, prov = ctx.t, ctx.k, ctx.prov
    pop = t("pop_week") if ctx.kind == "weekly" else t("pop_month")
    growth = f"{pop} {t.signed_percent(k['pop_sales_growth'])}"
    if ctx.kind == "monthly":
        growth = f"{t('yoy')} {t.signed_percent(k['yoy_sales_growth'])} · {growth}"
    cards = [
        _card(t("sales_amount"), t.money(k["sales_amount"]), growth, provisional=prov),
        _card(
            t("target_amount"),
            t.money(k["target_amount"]),
            t("workdays", elapsed=k["workdays_elapsed"], total=k["workdays_in_period"]),
        ),
        _card(
            t("completion_rate"),
            t.percent(k["completion_rate"]),
            f"{t('time_progress')} {t.percent(k['time_progress'])}",
            _tone(k["completion_rate"], None if k["is_closed"] else k["time_progress"]),
            prov,
        ),
        _card(
            t("orders_count"),
            t.number(k["orders_count"]),
            f"{t('avg_order_value')} {t.money(k['avg_order_value'])}",
            provisional=prov,
        ),
        _card(
            t("new_customers"),
            t.number(k["new_customers"]),
            t("lead_conversion_sub", rate=t.percent(k["lead_conversion_rate"])),
            provisional=prov,
        ),
    ]
    if ctx.kind == "monthly":
        cards.append(
            _card(
                t("collection_rate"),
                t.percent(k["collection_rate"]),
                f"{t('overdue_receivables')} {t.money(k['overdue_receivables'])}",
                provisional=prov,
            )
        )
    else:
        cards.append(
            _card(
                t("visits"), t.number(k["visits"]), f"{t('calls')} {t.number(k['calls'])}", provisional=prov
            )
        )
    return Section("cards", t("sec_kpis"), body=cards)


def _forecast_row(entity: str, horizon: str, row: Row, pipeline: float) -> Row:
    p = forecast.project(row, pipeline)
    return {
        "entity": entity,
        "horizon": horizon,
        "target": p.target,
        "sales": p.sales,
        "run_rate": p.run_rate,
        "run_rate_completion": p.run_rate_completion,
        "pipeline_weighted": p.pipeline_weighted,
        "gap": None if p.gap is None else -p.gap,
        "needed": p.needed_per_workday,
        "_cls": "own" if entity.startswith("★") else "",
    }


def forecast_section(ctx: Ctx) -> Section | None:
    """Month end (weekly brief) and quarter end: the scope first, then its reps (team) or teams."""
    t, data = ctx.t, ctx.data
    o = data.outlook
    name = scope_name(data.scope, t)
    rows = []
    horizons = []
    if o.month is not None and not o.month["is_closed"]:
        horizons.append(("month", o.month, o.month_reps, o.month_pipeline))
    if o.quarter is not None and not o.quarter["is_closed"]:
        horizons.append(("quarter", o.quarter, o.quarter_reps, o.quarter_pipeline))
    if not horizons:
        return None
    for grain, scope_row, reps, pipeline in horizons:
        label = t("month_end" if grain == "month" else "quarter_end", label=scope_row["period_label"])
        scope_rows = [r for r in reps if r.get("role") == "rep" or r.get("sales_amount")]
        total_pipeline = sum(pipeline.get(r["rep_id"], 0.0) for r in reps)
        rows.append(_forecast_row(name, label, scope_row, total_pipeline) | {"_cls": "own"})
        if data.scope.kind == "team":
            members = sorted(scope_rows, key=lambda r: forecast.project(r).run_rate_completion or 0)
            rows += [_forecast_row(rep_label(r), label, r, pipeline.get(r["rep_id"], 0.0)) for r in members]
        elif grain == "quarter":
            team_pipeline: dict[str, float] = {}
            for r in reps:
                team_pipeline[r["team_id"]] = team_pipeline.get(r["team_id"], 0.0) + pipeline.get(
                    r["rep_id"], 0.0
                )
            teams = sorted(o.quarter_teams, key=lambda r: forecast.project(r).run_rate_completion or 0)
            rows += [
                _forecast_row(r["team_name"] or r["team_id"], label, r, team_pipeline.get(r["team_id"], 0.0))
                for r in teams
            ]
    table = T.Table(T.FORECAST, rows, limit=MAX_TABLE_ROWS)
    return Section("table", t("sec_forecast"), table=table, note=t("forecast_note"))


def leaderboard_section(ctx: Ctx) -> list[Section]:
    t, data = ctx.t, ctx.data
    month_reps = data.outlook.month_reps or data.reps
    week = {r["rep_id"]: r for r in data.reps}
    on = data.as_of or data.period.end
    ranked, newcomers = forecast.leaderboard(
        [r for r in month_reps if r.get("role") == "rep"], on, ctx.s.new_hire_months
    )

    def row(item: forecast.Ranked) -> Row:
        r = item.rep
        return {
            "rank": item.rank,
            "rep_label": rep_label(r),
            "hire_date": r.get("hire_date"),
            "month_sales": r["sales_amount"],
            "month_target": r["target_amount"],
            "month_completion": r["completion_rate"],
            "week_sales": (week.get(r["rep_id"]) or {}).get("sales_amount"),
        }

    pace = None
    if data.outlook.month is not None and not data.outlook.month["is_closed"]:
        pace = data.outlook.month["time_progress"]
    sections = [
        Section(
            "table", t("sec_leaderboard"), table=T.Table(T.LEADERBOARD, [row(i) for i in ranked], pace=pace)
        )
    ]
    if newcomers:
        title = t("sec_new_hires", months=ctx.s.new_hire_months)
        sections.append(
            Section("table", title, table=T.Table(T.NEW_HIRES, [row(i) for i in newcomers], pace=pace))
        )
    return sections


def reps_week_section(ctx: Ctx) -> Section:
    t, data, k = ctx.t, ctx.data, ctx.k
    rows = []
    for r in sorted(data.reps, key=lambda r: (r["completion_rate"] is None, r["completion_rate"] or 0)):
        status = data.weekly_status.get(r["rep_id"]) or (
            "on_time" if r["rep_id"] in data.weekly_reports else "missing"
        )
        rows.append(
            {
                "rep_label": rep_label(r),
                "target_amount": r["target_amount"],
                "sales_amount": r["sales_amount"],
                "completion_rate": r["completion_rate"],
                "orders_count": r["orders_count"],
                "visits": r["visits"],
                "calls": r["calls"],
                "daily": f"{r['daily_reports_on_time']}/{r['daily_reports_expected']}",
                "weekly": status,
            }
        )
    total = {
        "rep_label": t("total"),
        "target_amount": k["target_amount"],
        "sales_amount": k["sales_amount"],
        "completion_rate": k["completion_rate"],
        "orders_count": k["orders_count"],
        "visits": k["visits"],
        "calls": k["calls"],
        "daily": f"{k['daily_reports_on_time']}/{k['daily_reports_expected']}",
    }
    pace = None if k["is_closed"] else k["time_progress"]
    hint = t("workdays", elapsed=k["workdays_elapsed"], total=k["workdays_in_period"])
    return Section(
        "table", t("sec_reps_week"), hint=hint, table=T.Table(T.WEEK_BY_REP, rows, total, pace=pace)
    )


def below_target_section(ctx: Ctx) -> Section:
    t, data = ctx.t, ctx.data
    rows = []
    for r in data.below_target:
        report = r["report"] or {}
        category = _obstacle(t, report.get("obstacle_category"))
        text = report.get("obstacle_text") or ""
        rows.append(
            {
                "rep_label": rep_label(r),
                "completion_rate": r["completion_rate"],
                "gap": float(r["sales_amount"] or 0) - float(r["target_amount"] or 0),
                "category": category,
                "obstacle": text or ("" if category else t("no_report")),
                "support": report.get("support_needed") or "",
            }
        )
    section = Section("table", t("sec_below_target"), table=T.Table(T.BELOW_TARGET, rows))
    if not rows:
        section.note = t("all_on_target")
    return section


def key_customers_section(ctx: Ctx) -> list[Section]:
    t, data = ctx.t, ctx.data
    reports = sorted(data.weekly_reports.values(), key=lambda r: r["rep_id"])
    progress = [
        {"rep_label": rep_label(r), "text": r["key_customer_progress"]}
        for r in reports
        if r["key_customer_progress"]
    ]
    support = [
        {"rep_label": rep_label(r), "text": r["support_needed"]}
        for r in reports
        if r["support_needed"] and r["support_needed"].strip() not in ("无", "-", "")
    ]
    return [
        Section("table", t("sec_key_customers"), table=T.Table(T.KEY_CUSTOMERS, progress)),
        Section("table", t("sec_support"), table=T.Table(T.SUPPORT, support)),
    ]


def actions_section(ctx: Ctx) -> list[Section]:
    """Open items only (overdue first, the most recently due first), then what closed in the
    period; the XLSX has every row."""
    t, data = ctx.t, ctx.data
    as_of = data.as_of or data.period.end

    def row(a: Row) -> Row:
        status = "overdue" if a["is_open"] and a["due_date"] and a["due_date"] < as_of else a["status"]
        review = f"{t.status(a['review_type'])} {a['review_period'] or ''}".strip()
        owner = a["owner_name"] or a["owner_rep_id"]
        return {
            "problem": a["problem"],
            "measure": a["measure"],
            "owner": owner,
            "review": review,
            "due_date": a["due_date"],
            "status": status,
        }

    open_items = [a for a in data.actions if a["is_open"]]
    overdue = sorted(
        (a for a in open_items if a["due_date"] and a["due_date"] < as_of),
        key=lambda a: a["due_date"],
        reverse=True,
    )
    upcoming = sorted((a for a in open_items if a not in overdue), key=lambda a: a["due_date"] or date.max)
    closed = [a for a in data.actions if not a["is_open"]]
    sections = [
        Section(
            "table",
            t("sec_actions"),
            table=T.Table(T.ACTIONS, [row(a) for a in [*overdue, *upcoming]], limit=MAX_TABLE_ROWS),
        )
    ]
    if not open_items:
        sections[0].note = t("no_actions")
    if closed:
        table = T.Table(
            T.Spec("sec_actions_closed", T.ACTIONS.columns, "sec_actions_closed"),
            [row(a) for a in closed],
            limit=10,
        )
        sections.append(Section("table", t("sec_actions_closed"), table=table))
    return sections


def completeness_section(ctx: Ctx) -> list[Section]:
    t, c = ctx.t, ctx.data.completeness
    reasons = []
    if c.period_open and c.measured_through:
        reasons.append(t("reason_open_period", date=t.date(c.measured_through)))
    if c.late or c.missing:
        reasons.append(t("reason_late_missing", late=len(c.late), missing=len(c.missing)))
    if c.failed_checks:
        reasons.append(t("reason_checks", n=len(c.failed_checks)))
    if c.unknown_orders:
        reasons.append(
            t("reason_unknown_orders", count=len(c.unknown_orders), amount=t.money(c.unknown_amount))
        )
    people = [
        f"{rep_label(r)} ({r['rep_id']}, {t.status(r['report_type'])} "
        f"{t.table_date(r['period_start'])}: {t.status(r['status'])})"
        for r in [*c.missing, *c.late]
    ]
    checks = [
        f"{r['kind']} · {attention.name_of(r) or r.get('team_id') or ''}"
        + (f" ({r['detail']})" if r.get("detail") else "")
        for r in c.failed_checks
    ]
    body = {
        "c": c,
        "reasons": reasons,
        "people": people[:12],
        "more_people": max(len(people) - 12, 0),
        "checks": checks[:8],
    }
    sections = [Section("completeness", t("sec_completeness"), body=body, keep=True)]
    orders = [dict(o) for o in c.unknown_orders]
    sections.append(
        Section(
            "table",
            t("sec_unknown_orders"),
            table=T.Table(
                T.UNKNOWN_ORDERS,
                orders,
                {"order_id": t("total"), "amount": c.unknown_amount} if orders else None,
            ),
            note="" if orders else t("unknown_orders_none"),
        )
    )
    return sections


def _obstacle(t: Locale, category: str | None) -> str:
    if not category:
        return ""
    try:
        return t(f"obstacle_{category}")
    except KeyError:
        return category


# --- daily ------------------------------------------------------------------------------------


def _span(t: Locale, start, end) -> str:
    if not start:
        return ""
    return t.table_date(start) + (f" – {t.table_date(end)}" if end and end != start else "")


def daily_sections(ctx: Ctx) -> list[Section]:
    t, data = ctx.t, ctx.data
    if not data.is_workday:
        return [Section("note", note=t("non_workday"))]
    late = [
        {
            "rep_label": f"{rep_label(r)} ({r['rep_id']})",
            "status": r["status"],
            "submitted_at": t.datetime(r["submitted_at"]) if r["submitted_at"] else "",
            "minutes_late": r["minutes_late"],
        }
        for r in data.late_or_missing
    ]
    streaks = [
        {
            "rep_label": attention.name_of(r),
            "dates": _span(t, r["start_date"], r["end_date"]),
            "value": r["value"],
            "detail": r["detail"] or "",
        }
        for r in data.streaks
    ]
    anomalies = [
        {
            "rep_label": attention.name_of(r) or r.get("team_id") or "",
            "kind_label": r["kind"],
            "dates": _span(t, r["start_date"], r["end_date"]),
            "value": r["value"],
            "baseline": r["baseline"],
            "detail": r["detail"] or "",
        }
        for r in data.anomalies
    ]
    if not data.completeness.available:
        late_section = Section("note", t("sec_late_missing"), note=t("completeness_unavailable"))
    else:
        late_section = Section(
            "table", t("sec_late_missing"), table=T.Table(T.LATE_MISSING, late, limit=MAX_TABLE_ROWS)
        )
    sections = [
        late_section,
        Section("table", t("sec_streaks"), table=T.Table(T.STREAKS, streaks, limit=MAX_TABLE_ROWS)),
        Section("table", t("sec_anomalies"), table=T.Table(T.ANOMALIES, anomalies, limit=MAX_TABLE_ROWS)),
    ]
    for section in sections:
        if section.table is not None and not section.table.rows:
            section.note = t("none")
    return sections


# --- monthly ----------------------------------------------------------------------------------


def monthly_charts_top(ctx: Ctx) -> Section:
    t, data = ctx.t, ctx.data
    chart = charts.trend_chart(
        [t.month_short(r["period_start"]) for r in data.trend],
        [r["sales_amount"] for r in data.trend],
        [r["target_amount"] for r in data.trend],
        t,
    )
    ctx.charts["trend"] = chart
    return Section(
        "charts", body=[{"src": charts.data_uri(chart), "alt": t("chart_trend"), "wide": True}], keep=True
    )


def team_summary_section(ctx: Ctx) -> Section:
    t, data, k = ctx.t, ctx.data, ctx.k
    rows = [
        {
            "team_name": r["team_name"] or r["team_id"],
            "region": r["region"],
            "rep_count": r["rep_count"],
            "target_amount": r["target_amount"],
            "sales_amount": r["sales_amount"],
            "completion_rate": r["completion_rate"],
            "yoy": r["yoy_sales_growth"],
            "mom": r["pop_sales_growth"],
            "new_customers": r["new_customers"],
            "collection_rate": r["collection_rate"],
            "on_time_rate": r["on_time_rate"],
            "_cls": "own" if data.scope.kind == "team" and r["team_id"] == data.scope.entity_id else "",
        }
        for r in data.teams
    ]
    total = None
    if data.scope.kind != "team":
        total = {
            "team_name": t("total"),
            "rep_count": k["rep_count"],
            "target_amount": k["target_amount"],
            "sales_amount": k["sales_amount"],
            "completion_rate": k["completion_rate"],
            "yoy": k["yoy_sales_growth"],
            "mom": k["pop_sales_growth"],
            "new_customers": k["new_customers"],
            "collection_rate": k["collection_rate"],
            "on_time_rate": k["on_time_rate"],
        }
    table = T.Table(T.TEAM_SUMMARY, rows, total, pace=None if k["is_closed"] else k["time_progress"])
    if data.scope.kind == "region":
        table.without("region")
    return Section("table", t("sec_team_summary"), table=table)


def monthly_share_charts(ctx: Ctx) -> Section:
    t, data = ctx.t, ctx.data
    product = charts.share_pie(
        [r["product_line"] for r in data.products],
        [r["sales_amount"] for r in data.products],
        t,
        title_key="chart_product_share",
    )
    if data.scope.kind == "company":
        names, values, key = (
            [r["region"] for r in data.regions],
            [r["sales_amount"] for r in data.regions],
            "chart_region_share",
        )
    elif data.scope.kind == "region":
        names, values, key = (
            [r["team_name"] for r in data.teams],
            [r["sales_amount"] for r in data.teams],
            "chart_team_share",
        )
    else:
        names, values, key = (
            [rep_label(r) for r in data.reps],
            [r["sales_amount"] for r in data.reps],
            "chart_rep_share",
        )
    share = charts.share_pie(names, values, t, title_key=key)
    return Section(
        "charts",
        body=[
            {"src": charts.data_uri(product), "alt": t("chart_product_share"), "wide": False},
            {"src": charts.data_uri(share), "alt": t(key), "wide": False},
        ],
        keep=True,
    )


def _reason_text(t: Locale, key: str, values: dict) -> str:
    fmt = {
        "top_referral": lambda v: {"value": t.percent(v["value"], 0), "team": t.percent(v["team"], 0)},
        "top_visits": lambda v: {"value": t.number(v["value"], 1), "median": t.number(v["median"], 1)},
        "top_aov": lambda v: {"value": t.money(v["value"]), "median": t.money(v["median"])},
        "cause_activity": lambda v: {"value": t.number(v["value"], 1), "median": t.number(v["median"], 1)},
        "cause_conversion": lambda v: {
            "value": t.percent(v["value"], 0),
            "median": t.percent(v["median"], 0),
        },
        "cause_collection": lambda v: {
            "value": t.percent(v["value"], 0),
            "median": t.percent(v["median"], 0),
        },
    }
    return t(key, **fmt[key](values)) if key in fmt else t(key)


def personal_section(ctx: Ctx) -> Section:
    """个人业绩跟踪表, completion ascending: who needs help is on top."""
    t, data, k = ctx.t, ctx.data, ctx.k
    lows = {f.rep["rep_id"]: f for f in analysis.low_performers(data, ctx.s.coaching_completion)}
    separator = "；" if t.is_zh else "; "

    def key_issue(rep: Row) -> str:
        finding = lows.get(rep["rep_id"])
        if not finding:
            return ""
        parts = [_reason_text(t, key, values) for key, values in finding.reasons]
        if finding.coaching is not None:
            parts.append(t("coaching", pct=t.percent(finding.coaching, 0)))
        return separator.join(parts)

    reps = sorted(
        data.reps, key=lambda r: (r["completion_rate"] is None, r["completion_rate"] or 0, r["rep_id"])
    )
    rows = [
        {
            "rep_label": rep_label(r),
            "team_name": r.get("team_name") or r["team_id"],
            "target_amount": r["target_amount"],
            "sales_amount": r["sales_amount"],
            "completion_rate": r["completion_rate"],
            "yoy": r["yoy_sales_growth"],
            "mom": r["pop_sales_growth"],
            "new_customers": r["new_customers"],
            "visits": r["visits"],
            "win_rate": r["win_rate"],
            "collection_rate": r["collection_rate"],
            "key_issue": key_issue(r),
        }
        for r in reps
    ]
    total = None
    if data.scope.kind == "team":
        total = {
            "rep_label": t("total"),
            "target_amount": k["target_amount"],
            "sales_amount": k["sales_amount"],
            "completion_rate": k["completion_rate"],
            "yoy": k["yoy_sales_growth"],
            "mom": k["pop_sales_growth"],
            "new_customers": k["new_customers"],
            "visits": k["visits"],
            "win_rate": k["win_rate"],
            "collection_rate": k["collection_rate"],
        }
    table = T.Table(
        T.PERSONAL, rows, total, pace=None if k["is_closed"] else k["time_progress"], limit=MAX_TABLE_ROWS
    )
    if data.scope.kind == "team":
        table.without("team_name")
    return Section("table", t("sec_personal"), table=table)


def completion_charts(ctx: Ctx) -> Section:
    t, data, k = ctx.t, ctx.data, ctx.k
    pace = None if k["is_closed"] else k["time_progress"]
    teams = charts.completion_bars(
        [r["team_name"] or r["team_id"] for r in data.teams],
        [r["completion_rate"] for r in data.teams],
        t,
        title_key="chart_team_completion",
        pace=pace,
    )
    if data.scope.kind == "company":
        # Forty reps in one bar chart are unreadable: the company pack compares regions.
        names, rates, key = (
            [r["region"] for r in data.regions],
            [r["completion_rate"] for r in data.regions],
            "chart_region_completion",
        )
    else:
        names, rates, key = (
            [rep_label(r) for r in data.reps],
            [r["completion_rate"] for r in data.reps],
            "chart_rep_completion",
        )
    first = charts.completion_bars(names, rates, t, title_key=key, pace=pace)
    return Section(
        "charts",
        body=[
            {"src": charts.data_uri(first), "alt": t(key), "wide": False},
            {"src": charts.data_uri(teams), "alt": t("chart_team_completion"), "wide": False},
        ],
        keep=True,
    )


def weekly_chart(ctx: Ctx) -> Section:
    t, data, k = ctx.t, ctx.data, ctx.k
    chart = charts.completion_bars(
        [rep_label(r) for r in data.reps],
        [r["completion_rate"] for r in data.reps],
        t,
        title_key="chart_rep_completion",
        pace=None if k["is_closed"] else k["time_progress"],
    )
    ctx.charts["main"] = chart
    return Section(
        "charts",
        body=[{"src": charts.data_uri(chart), "alt": t("chart_rep_completion"), "wide": False}],
        keep=True,
    )


_METRICS = ("sales_amount", "new_customers", "visits", "collection_rate")


def targets_section(ctx: Ctx) -> list[Section]:
    """目标对比分析表: the unit's own targets by metric, then one row per rep (a team pack) or
    per team (region and company packs) — never both kinds in one table."""
    t, data, k = ctx.t, ctx.data, ctx.k
    actual = analysis.metric_actuals(k)
    explicit = {r["metric"]: r["target_value"] for r in data.metric_targets}
    targets = {**explicit, "sales_amount": k["target_amount"]}
    scope_rows = [
        _target_row(m, targets.get(m), actual.get(m), t)
        for m in _METRICS
        if targets.get(m) is not None or m == "sales_amount"
    ]
    sections = [Section("table", t("sec_scope_targets"), table=T.Table(T.SCOPE_TARGETS, scope_rows))]
    if data.scope.kind == "team":
        rows = []
        for rep in sorted(data.reps, key=lambda r: (r["completion_rate"] is None, r["completion_rate"] or 0)):
            rt = {m: r["target_value"] for m, r in data.rep_targets.get(rep["rep_id"], {}).items()}
            rows.append(
                {
                    "rep_label": rep_label(rep),
                    "sales_target": rep["target_amount"],
                    "sales_actual": rep["sales_amount"],
                    "sales_rate": rep["completion_rate"],
                    "nc_target": rt.get("new_customers"),
                    "nc_actual": rep["new_customers"],
                    "visits_target": rt.get("visits"),
                    "visits_actual": rep["visits"],
                    "collection_target": rt.get("collection_rate"),
                    "collection_actual": rep["collection_rate"],
                }
            )
        table = T.Table(T.TARGETS_BY_REP, rows, limit=MAX_TABLE_ROWS)
    else:
        rows = [
            {
                "team_name": r["team_name"] or r["team_id"],
                "sales_target": r["target_amount"],
                "sales_actual": r["sales_amount"],
                "sales_gap": None
                if r["target_amount"] is None
                else float(r["sales_amount"]) - float(r["target_amount"]),
                "sales_rate": r["completion_rate"],
                "pace_gap": r["pace_gap"],
            }
            for r in data.teams
        ]
        table = T.Table(T.TARGETS_BY_TEAM, rows)
    sections.append(Section("table", t("sec_target_vs_actual"), table=table))
    return sections


def _target_row(metric: str, target, actual, t: Locale) -> Row:
    is_money, is_rate = metric == "sales_amount", metric == "collection_rate"
    gap = None if target is None or actual is None else float(actual) - float(target)
    rate = None if target in (None, 0) or actual is None or is_rate else float(actual) / float(target)

    def show(value):
        if value is None:
            return DASH
        return t.money(value) if is_money else t.percent(value) if is_rate else t.number(value)

    gap_text = DASH if gap is None else (t.points(gap) if is_rate else ("+" if gap >= 0 else "") + show(gap))
    return {
        "metric": t(metric),
        "target_text": show(target),
        "actual_text": show(actual),
        "gap_text": gap_text,
        "rate": rate,
    }


def top_low_section(ctx: Ctx) -> Section:
    t, data = ctx.t, ctx.data
    separator = "；" if t.is_zh else "; "
    tops = analysis.top_performers(data)
    lows = analysis.low_performers(data, ctx.s.coaching_completion)
    top_lines = [
        {
            "who": f"{rep_label(f.rep)} · {t('completion_rate')} {t.percent(f.rep['completion_rate'])}",
            "text": separator.join(_reason_text(t, key, v) for key, v in f.reasons),
            "badge": "",
        }
        for f in tops
    ]
    low_lines = [
        {
            "who": f"{rep_label(f.rep)} · {t('completion_rate')} {t.percent(f.rep['completion_rate'])}",
            "text": separator.join(_reason_text(t, key, v) for key, v in f.reasons),
            "badge": "" if f.coaching is None else t("coaching", pct=t.percent(f.coaching, 0)),
        }
        for f in lows[:10]
    ]
    more = t("more_rows_xlsx", n=len(lows) - 10) if len(lows) > 10 else ""
    return Section("findings", body=[(t("sec_top"), top_lines, ""), (t("sec_low"), low_lines, more)])


# The section names a brief kind may list (kinds.py), and what builds each.
SECTIONS: dict[str, Callable[[Ctx], Section | list[Section] | None]] = {
    "cards_daily": cards_daily,
    "cards": cards_period,
    "daily_exceptions": daily_sections,
    "forecast": forecast_section,
    "leaderboard": leaderboard_section,
    "reps_week": reps_week_section,
    "weekly_chart": weekly_chart,
    "below_target": below_target_section,
    "key_customers": key_customers_section,
    "actions": actions_section,
    "trend_chart": monthly_charts_top,
    "team_summary": team_summary_section,
    "share_charts": monthly_share_charts,
    "personal": personal_section,
    "completion_charts": completion_charts,
    "targets": targets_section,
    "top_low": top_low_section,
    "completeness": completeness_section,
}


def render(
    kind,  # kinds.BriefKind
    data,
    t: Locale,
    generated_at: datetime,
    settings: BriefSettings | None = None,
) -> Brief:
    """Any brief: attention first, then the kind's sections in order."""
    s = settings or BriefSettings()
    ctx = Ctx(kind.name, data, t, s)
    items = attention_items(data, kind.name, kind.attention, s)
    attention_section, rendered = _attention_section(items, t)
    sections: list[Section] = [attention_section]
    for name in kind.sections:
        built = SECTIONS[name](ctx)
        if built is None:
            continue
        sections.extend(built if isinstance(built, list) else [built])
    for section in sections:
        if section.table is not None and len(section.table.rows) <= 12:
            section.keep = True  # a short table is not split over two pages
    c = data.completeness
    as_of = c.measured_through or getattr(data, "as_of", None)
    cards = next((sec.body for sec in sections if sec.kind == "cards"), [])
    brief = Brief(
        kind=kind.name,
        scope=data.scope,
        period=data.period,
        locale=t,
        title=t(f"{kind.name}_title"),
        scope_name=scope_name(data.scope, t),
        period_text=period_text(data.period, t),
        as_of=as_of,
        sections=sections,
        key_figures=[(card["label"], card["value"]) for card in cards[: kind.key_figures]],
        attention=rendered,
        main_chart=ctx.charts.get("trend") or ctx.charts.get("main"),
        provisional=c.provisional,
        generated_at=generated_at,
    )
    brief.html = render_html(brief)
    return brief


def render_html(brief: Brief) -> str:
    template = _environment().get_template("brief.html.j2")
    return template.render(
        css=_css(STYLESHEET),
        b=brief,
        t=brief.locale,
        table_html=lambda table: T.html_rows(table, brief.locale),
    )


# ---------------------------------------------------------------------------------------------
# spreadsheets


_XLSX_FORMATS = {
    "text": {"text_wrap": True, "valign": "top"},
    "name": {"valign": "top"},
    "status": {"valign": "top"},
    "int": {"num_format": "#,##0"},
    "number": {"num_format": "#,##0.0"},
    "pct": {"num_format": "0.0%"},
    "signed_pct": {"num_format": "+0.0%;-0.0%;0.0%"},
    "points": {"num_format": "+0.0%;-0.0%;0.0%"},
    "date": {"num_format": "yyyy-mm-dd"},
}


def xlsx_bytes(brief: Brief) -> bytes:
    """One sheet per table: a title row (unit, period, as-of, provisional), a header on every
    column, numbers as numbers, red/green on completion and pace, frozen header and name column,
    A4 landscape fit to one page wide."""
    t = brief.locale
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
        },
    )
    book.set_properties({"title": f"{brief.title} {brief.subtitle}", "author": "salespulse"})
    font = {"font_name": "Microsoft YaHei" if t.is_zh else "Calibri", "font_size": 10}
    title_fmt = book.add_format({**font, "bold": True, "font_size": 14})
    meta_fmt = book.add_format({**font, "font_color": "#6B7280"})
    prov_fmt = book.add_format({**font, "bold": True, "font_color": "#B45309"})
    head = book.add_format(
        {
            **font,
            "bold": True,
            "bg_color": "#1F2A37",
            "font_color": "#FFFFFF",
            "border": 1,
            "text_wrap": True,
            "valign": "vcenter",
        }
    )
    kinds = {**_XLSX_FORMATS, "money": {"num_format": t.money_cell_format}}
    cells = {
        k: book.add_format({**font, "border": 1, "border_color": "#D1D5DB", **v}) for k, v in kinds.items()
    }
    totals = {
        k: book.add_format({**font, "bold": True, "top": 2, "bg_color": "#F3F4F6", **v})
        for k, v in kinds.items()
    }
    good = book.add_format({"font_color": "#15803D", "bg_color": "#DCFCE7"})
    bad = book.add_format({"font_color": "#B91C1C", "bg_color": "#FEE2E2"})
    warn = book.add_format({"font_color": "#B45309", "bg_color": "#FEF3C7"})
    as_of = f"{t('as_of')}: {t.date(brief.as_of)}" if brief.as_of else ""
    used: set[str] = set()
    # The seed's three tables lead the workbook, then the others in the brief's order.
    first = [T.PERSONAL, T.TEAM_SUMMARY, T.TARGETS_BY_REP, T.TARGETS_BY_TEAM]
    ordered = sorted(brief.tables, key=lambda tb: first.index(tb.spec) if tb.spec in first else len(first))
    for table in ordered:
        name = _sheet_name(t(table.spec.sheet or table.spec.title), used)
        ws = book.add_worksheet(name)
        columns = table.columns
        last = max(len(columns) - 1, 0)
        ws.write_string(
            0,
            0,
            f"{brief.title} · {brief.scope_name} · {brief.period_text} · {t(table.spec.title)}",
            title_fmt,
        )
        ws.write_string(
            1,
            0,
            " · ".join(
                x
                for x in (
                    as_of,
                    f"{t('generated_at')}: {t.datetime(brief.generated_at)}" if brief.generated_at else "",
                )
                if x
            ),
            meta_fmt,
        )
        if brief.provisional:
            ws.write_string(1, max(last, 1), t("provisional"), prov_fmt)
        ws.set_row(2, 30)
        for col, column in enumerate(columns):
            ws.write_string(2, col, T.header(column, t, xlsx=True), head)
            ws.set_column(col, col, column.width)
        rows = [*table.rows, *([table.total] if table.total else [])]
        for r, row in enumerate(rows, start=3):
            style = totals if table.total is not None and r == len(rows) + 2 else cells
            for col, column in enumerate(columns):
                _write(
                    ws,
                    r,
                    col,
                    row.get(column.key),
                    column.kind,
                    style[column.kind if column.kind in style else "text"],
                    t,
                )
        first, last_row = 3, 2 + len(table.rows)
        if table.rows:
            for col, column in enumerate(columns):
                _conditional(ws, first, last_row, col, column, table.pace, good, warn, bad)
            ws.autofilter(2, 0, last_row, last)
        ws.freeze_panes(3, 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(2)
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
        ws.set_footer(f"&L{brief.title} · {brief.scope_name} · {brief.period.label}&R&P / &N")
    book.close()
    return buffer.getvalue()


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31]
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate)
    return candidate


def _conditional(ws, first: int, last: int, col: int, column: T.Col, pace, good, warn, bad) -> None:
    if column.tone == "completion":
        reference = 1.0 if pace is None else pace
        ws.conditional_format(
            first,
            col,
            last,
            col,
            {"type": "cell", "criteria": ">=", "value": min(1.0, reference), "format": good},
        )
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": "<", "value": reference - 0.2, "format": bad}
        )
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": "<", "value": reference, "format": warn}
        )
    elif column.tone == "pace":
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": ">=", "value": 0, "format": good}
        )
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": "<", "value": -0.2, "format": bad}
        )
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": "<", "value": 0, "format": warn}
        )
    elif column.tone == "gap":
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": ">=", "value": 0, "format": good}
        )
        ws.conditional_format(
            first, col, last, col, {"type": "cell", "criteria": "<", "value": 0, "format": bad}
        )


def _write(ws, row: int, col: int, value: Any, kind: str, fmt, t: Locale) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif kind == "money":
        ws.write_number(row, col, t.money_unit(value), fmt)
    elif kind == "int":
        ws.write_number(row, col, round(float(value)), fmt)
    elif kind in ("number", "pct", "signed_pct", "points"):
        ws.write_number(row, col, float(value), fmt)
    elif kind == "date" and isinstance(value, date):
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    elif kind == "status":
        ws.write_string(row, col, t.status(value), fmt)
    else:
        # write_string, never write(): text is never a formula, and it is neutralised for CSV reuse.
        ws.write_string(row, col, str(safe_cell(str(value))), fmt)
