"""Briefs as HTML (Jinja2, autoescaped, CSS and charts inlined), PDF (WeasyPrint, from the same
HTML) and XLSX (xlsxwriter: number formats, frozen header row, inert text cells).

Templates and the stylesheet live in `reports/`; everything here is pure: data in, bytes out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import xlsxwriter
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from salespulse.briefs import analysis, charts
from salespulse.briefs.data import DailyData, MonthlyData, Period, Row, Scope, WeeklyData
from salespulse.briefs.i18n import Locale
from salespulse.config import PROJECT_ROOT

REPORTS_DIR = PROJECT_ROOT / "reports"
TEMPLATES_DIR = REPORTS_DIR / "templates"
STYLESHEET = REPORTS_DIR / "styles" / "brief.css"

# Characters that make a spreadsheet (or a CSV opened in one) treat text as a formula (OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MAX_TABLE_ROWS = 40


def safe_cell(value: Any) -> Any:
    """Neutralise text a spreadsheet would run as a formula by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@cache
def _environment(templates_dir: Path = TEMPLATES_DIR) -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _stylesheet() -> Markup:
    # Our own file, inlined verbatim (escaping would break its quoted font names).
    return Markup(STYLESHEET.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# spreadsheets


@dataclass
class Column:
    key: str
    header: str
    kind: str = "text"  # text | money | int | number | pct | date | datetime
    width: float = 12


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None


def xlsx_bytes(sheets: list[Sheet], locale: Locale, title: str) -> bytes:
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
    book.set_properties({"title": title, "author": "salespulse"})
    font = {"font_name": "Microsoft YaHei" if locale.is_zh else "Calibri", "font_size": 10}
    header = book.add_format(
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
    base = {
        "text": {"text_wrap": True, "valign": "top"},
        "money": {"num_format": locale.money_cell_format},
        "int": {"num_format": "#,##0"},
        "number": {"num_format": "#,##0.0"},
        "pct": {"num_format": "0.0%"},
        "date": {"num_format": "yyyy-mm-dd"},
        "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
    }
    formats = {
        k: book.add_format({**font, "border": 1, "border_color": "#D1D5DB", **v}) for k, v in base.items()
    }
    totals = {
        k: book.add_format({**font, "bold": True, "top": 2, "bg_color": "#F3F4F6", **v})
        for k, v in base.items()
    }
    for sheet in sheets:
        ws = book.add_worksheet(sheet.name[:31])
        ws.set_row(0, 30)
        for col, column in enumerate(sheet.columns):
            ws.write_string(0, col, column.header, header)
            ws.set_column(col, col, column.width)
        rows = [*sheet.rows, *([sheet.total] if sheet.total else [])]
        for r, row in enumerate(rows, start=1):
            style = totals if sheet.total is not None and r == len(rows) else formats
            for col, column in enumerate(sheet.columns):
                _write(ws, r, col, row.get(column.key), column.kind, style[column.kind], locale)
        ws.freeze_panes(1, 0)
        if sheet.rows:
            ws.autofilter(0, 0, len(sheet.rows), len(sheet.columns) - 1)
    book.close()
    return buffer.getvalue()


def _write(ws, row: int, col: int, value: Any, kind: str, fmt, locale: Locale) -> None:
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif kind == "money":
        ws.write_number(row, col, locale.money_unit(value), fmt)
    elif kind in ("int", "number", "pct"):
        ws.write_number(row, col, float(value), fmt)
    elif kind == "date":
        ws.write_datetime(row, col, datetime(value.year, value.month, value.day), fmt)
    elif kind == "datetime":
        ws.write_datetime(row, col, value.replace(tzinfo=None), fmt)
    else:
        # write_string, never write(): text is never a formula, and it is neutralised for CSV reuse.
        ws.write_string(row, col, str(safe_cell(str(value))), fmt)


# ---------------------------------------------------------------------------------------------
# briefs


@dataclass
class Brief:
    kind: str  # daily | weekly | monthly
    scope: Scope
    period: Period
    locale: Locale
    title: str
    subtitle: str
    html: str
    sheets: list[Sheet]
    key_figures: list[tuple[str, str]]
    main_chart: bytes | None = None
    provisional: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def pdf(self) -> bytes:
        from weasyprint import HTML

        return HTML(string=self.html, base_url=str(REPORTS_DIR)).write_pdf()

    def xlsx(self) -> bytes:
        return xlsx_bytes(self.sheets, self.locale, f"{self.title} {self.subtitle}")


def scope_name(scope: Scope, t: Locale) -> str:
    if scope.kind == "company":
        return t("company_name")
    if scope.kind == "region":
        return f"{scope.name}{'区域' if t.is_zh else ' region'}"
    return scope.name


def _card(label: str, value: str, sub: str = "", tone: str = "", provisional: bool = False) -> dict:
    return {"label": label, "value": value, "sub": sub, "tone": tone, "provisional": provisional}


def _tone(completion, progress) -> str:
    if completion is None:
        return ""
    if completion >= max(progress or 1, 1) or completion >= 1:
        return "good"
    reference = progress if progress is not None else 1
    return "warn" if completion >= reference - 0.2 else "bad"


def _obstacle(t: Locale, category: str | None) -> str:
    if not category:
        return ""
    key = f"obstacle_{category}"
    try:
        return t(key)
    except KeyError:
        return category


def _completeness_context(c, t: Locale) -> dict:
    reasons = []
    if c.period_open and c.measured_through:
        reasons.append(t("reason_open_period", date=t.date(c.measured_through)))
    if c.late or c.missing:
        reasons.append(t("reason_late_missing", late=len(c.late), missing=len(c.missing)))
    if c.failed_checks:
        reasons.append(t("reason_checks", n=len(c.failed_checks)))
    return {"c": c, "reasons": reasons}


def _render_html(template: str, **context) -> str:
    env = _environment()
    return env.get_template(template).render(css=_stylesheet(), **context)


def _base_context(kind: str, scope: Scope, period: Period, t: Locale, generated_at: datetime) -> dict:
    title = t(f"{kind}_title")
    if period.grain == "day":
        period_text = t.day_title(period.start)
    elif period.grain == "week":
        period_text = t.week_title(period.start, period.end)
    else:
        period_text = t.month_title(period.start)
    return {
        "t": t,
        "kind": kind,
        "title": title,
        "scope": scope,
        "scope_name": scope_name(scope, t),
        "period": period,
        "period_text": period_text,
        "generated_at": generated_at,
        "max_rows": MAX_TABLE_ROWS,
    }


def render_daily(data: DailyData, t: Locale, generated_at: datetime) -> Brief:
    ctx = _base_context("daily", data.scope, data.period, t, generated_at)
    c = data.completeness
    expected = c.expected if c.available else sum(r["daily_reports_expected"] for r in data.reps)
    on_time = c.on_time if c.available else sum(r["daily_reports_on_time"] for r in data.reps)
    visits = sum(r["visits"] for r in data.reps)
    calls = sum(r["calls"] for r in data.reps)
    cards = [
        _card(t("reports_expected"), t.number(expected)),
        _card(
            t("reports_on_time"), t.number(on_time), tone="good" if expected and on_time == expected else ""
        ),
        _card(
            t("reports_late"), t.number(len(c.late)) if c.available else "—", tone="warn" if c.late else ""
        ),
        _card(
            t("reports_missing"),
            t.number(len(c.missing)) if c.available else "—",
            tone="bad" if c.missing else "",
        ),
        _card(t("visits"), t.number(visits), provisional=c.provisional),
        _card(t("calls"), t.number(calls), provisional=c.provisional),
    ]
    html = _render_html(
        "daily.html.j2", **ctx, data=data, cards=cards, completeness=_completeness_context(c, t)
    )
    sheets = [
        Sheet(
            t("sheet_exceptions"),
            [
                Column("section", t("kind"), width=16),
                Column("rep_name", t("rep"), width=12),
                Column("status", t("status"), width=10),
                Column("start_date", t("dates"), "date", 12),
                Column("value", t("value"), "number", 10),
                Column("baseline", t("baseline"), "number", 10),
                Column("minutes_late", t("minutes_late"), "int", 10),
                Column("detail", t("detail"), width=48),
            ],
            [
                *(
                    {
                        "section": t("sec_late_missing"),
                        "rep_name": r["rep_name"] or r["rep_id"],
                        "status": t.status(r["status"]),
                        "start_date": r["period_start"],
                        "minutes_late": r["minutes_late"],
                        "detail": "",
                    }
                    for r in data.late_or_missing
                ),
                *(
                    {
                        "section": t("sec_streaks"),
                        "rep_name": r["rep_name"] or r["rep_id"],
                        "status": r["severity"],
                        "start_date": r["start_date"],
                        "value": r["value"],
                        "baseline": r["baseline"],
                        "detail": r["detail"],
                    }
                    for r in data.streaks
                ),
                *(
                    {
                        "section": t("sec_anomalies"),
                        "rep_name": r["rep_name"] or r["rep_id"] or "",
                        "status": r["severity"],
                        "start_date": r["start_date"],
                        "value": r["value"],
                        "baseline": r["baseline"],
                        "detail": f"{r['kind']}: {r['detail'] or ''}",
                    }
                    for r in data.anomalies
                ),
            ],
        )
    ]
    figures = [(card["label"], card["value"]) for card in cards]
    return Brief(
        "daily",
        data.scope,
        data.period,
        t,
        ctx["title"],
        f"{ctx['scope_name']} · {ctx['period_text']}",
        html,
        sheets,
        figures,
        None,
        c.provisional,
    )


def render_weekly(data: WeeklyData, t: Locale, generated_at: datetime) -> Brief:
    ctx = _base_context("weekly", data.scope, data.period, t, generated_at)
    k, c = data.kpis, data.completeness
    prov = c.provisional
    cards = [
        _card(
            t("sales_amount"),
            t.money(k["sales_amount"]),
            f"{t('pop_week')} {t.signed_percent(k['pop_sales_growth'])}",
            provisional=prov,
        ),
        _card(t("target_amount"), t.money(k["target_amount"])),
        _card(
            t("completion_rate"),
            t.percent(k["completion_rate"]),
            f"{t('time_progress')} {t.percent(k['time_progress'])}",
            _tone(k["completion_rate"], k["time_progress"]),
            prov,
        ),
        _card(
            t("orders_count"),
            t.number(k["orders_count"]),
            f"{t('avg_order_value')} {t.money(k['avg_order_value'])}",
            provisional=prov,
        ),
        _card(t("new_customers"), t.number(k["new_customers"]), provisional=prov),
        _card(t("visits"), t.number(k["visits"]), f"{t('calls')} {t.number(k['calls'])}", provisional=prov),
    ]
    names = [r["rep_name"] or r["rep_id"] for r in data.reps]
    chart = charts.completion_bars(
        names,
        [r["completion_rate"] for r in data.reps],
        t,
        title_key="chart_rep_completion",
        pace=k["time_progress"] if not k["is_closed"] else None,
    )
    support = [
        r
        for r in data.weekly_reports.values()
        if r["support_needed"] and r["support_needed"].strip() not in ("无", "-", "")
    ]
    progress = [r for r in data.weekly_reports.values() if r["key_customer_progress"]]
    html = _render_html(
        "weekly.html.j2",
        **ctx,
        data=data,
        k=k,
        cards=cards,
        chart=charts.data_uri(chart),
        support=support,
        progress=progress,
        obstacle=lambda cat: _obstacle(t, cat),
        completeness=_completeness_context(c, t),
    )
    unit = t("money_unit_header")
    rep_rows = [
        {
            "rep_name": r["rep_name"] or r["rep_id"],
            "target_amount": r["target_amount"],
            "sales_amount": r["sales_amount"],
            "completion_rate": r["completion_rate"],
            "pace_gap": r["pace_gap"],
            "orders_count": r["orders_count"],
            "visits": r["visits"],
            "calls": r["calls"],
            "daily": f"{r['daily_reports_on_time']}/{r['daily_reports_expected']}",
            "weekly": t.status(data.weekly_status.get(r["rep_id"]))
            if data.weekly_status
            else ("✓" if r["rep_id"] in data.weekly_reports else t("no_report")),
        }
        for r in data.reps
    ]
    sheets = [
        Sheet(
            t("sheet_week"),
            [
                Column("rep_name", t("rep"), width=12),
                Column("target_amount", t("target_amount") + unit, "money", 14),
                Column("sales_amount", t("sales_amount") + unit, "money", 14),
                Column("completion_rate", t("completion_rate"), "pct", 10),
                Column("pace_gap", t("pace_gap"), "pct", 10),
                Column("orders_count", t("orders_count"), "int", 9),
                Column("visits", t("visits"), "int", 9),
                Column("calls", t("calls"), "int", 9),
                Column("daily", t("daily_reports"), width=14),
                Column("weekly", t("weekly_report"), width=12),
            ],
            rep_rows,
            {
                "rep_name": t("total"),
                "target_amount": k["target_amount"],
                "sales_amount": k["sales_amount"],
                "completion_rate": k["completion_rate"],
                "pace_gap": k["pace_gap"],
                "orders_count": k["orders_count"],
                "visits": k["visits"],
                "calls": k["calls"],
                "daily": f"{k['daily_reports_on_time']}/{k['daily_reports_expected']}",
            },
        ),
        Sheet(
            t("sheet_obstacles"),
            [
                Column("rep_name", t("rep"), width=12),
                Column("completion_rate", t("completion_rate"), "pct", 10),
                Column("category", t("obstacle_category"), width=12),
                Column("obstacle", t("obstacle"), width=36),
                Column("support", t("support_needed"), width=28),
                Column("progress", t("key_customer_progress"), width=48),
            ],
            [
                {
                    "rep_name": r["rep_name"] or r["rep_id"],
                    "completion_rate": r["completion_rate"],
                    "category": _obstacle(t, (r["report"] or {}).get("obstacle_category")),
                    "obstacle": (r["report"] or {}).get("obstacle_text"),
                    "support": (r["report"] or {}).get("support_needed"),
                    "progress": (r["report"] or {}).get("key_customer_progress"),
                }
                for r in data.below_target
            ],
        ),
        _actions_sheet(data.actions, t),
    ]
    figures = [(card["label"], card["value"]) for card in cards[:4]]
    return Brief(
        "weekly",
        data.scope,
        data.period,
        t,
        ctx["title"],
        f"{ctx['scope_name']} · {ctx['period_text']}",
        html,
        sheets,
        figures,
        chart,
        prov,
    )


def _actions_sheet(actions: list[Row], t: Locale) -> Sheet:
    return Sheet(
        t("sheet_actions"),
        [
            Column("review", t("review"), width=12),
            Column("problem", t("problem"), width=30),
            Column("measure", t("measure"), width=36),
            Column("owner", t("owner"), width=10),
            Column("due_date", t("due_date"), "date", 12),
            Column("status", t("status"), width=10),
        ],
        [
            {
                "review": f"{t.status(a['review_type'])} {a['review_period'] or ''}".strip(),
                "problem": a["problem"],
                "measure": a["measure"],
                "owner": a["owner_name"] or a["owner_rep_id"],
                "due_date": a["due_date"],
                "status": t("overdue") if a["is_overdue"] else t.status(a["status"]),
            }
            for a in actions
        ],
    )


def render_monthly(
    data: MonthlyData, t: Locale, generated_at: datetime, coaching_completion: float = 0.8
) -> Brief:
    ctx = _base_context("monthly", data.scope, data.period, t, generated_at)
    k, c = data.kpis, data.completeness
    prov = c.provisional
    cards = [
        _card(
            t("sales_amount"),
            t.money(k["sales_amount"]),
            f"{t('yoy')} {t.signed_percent(k['yoy_sales_growth'])} · {t('pop_month')} "
            f"{t.signed_percent(k['pop_sales_growth'])}",
            provisional=prov,
        ),
        _card(t("target_amount"), t.money(k["target_amount"])),
        _card(
            t("completion_rate"),
            t.percent(k["completion_rate"]),
            f"{t('time_progress')} {t.percent(k['time_progress'])}",
            _tone(k["completion_rate"], k["time_progress"]),
            prov,
        ),
        _card(
            t("new_customers"),
            t.number(k["new_customers"]),
            f"{t('lead_conversion_rate')} {t.percent(k['lead_conversion_rate'])}",
            provisional=prov,
        ),
        _card(
            t("collection_rate"),
            t.percent(k["collection_rate"]),
            f"{t('overdue_receivables')} {t.money(k['overdue_receivables'])}",
            provisional=prov,
        ),
        _card(
            t("win_rate"),
            t.percent(k["win_rate"]),
            f"{t('open_pipeline')} {t.money(k['open_pipeline'])}",
            provisional=prov,
        ),
    ]
    trend_chart = charts.trend_chart(
        [t.month_short(r["period_start"]) for r in data.trend],
        [r["sales_amount"] for r in data.trend],
        [r["target_amount"] for r in data.trend],
        t,
    )
    rep_chart = charts.completion_bars(
        [r["rep_name"] or r["rep_id"] for r in data.reps],
        [r["completion_rate"] for r in data.reps],
        t,
        title_key="chart_rep_completion",
        pace=None if k["is_closed"] else k["time_progress"],
    )
    team_chart = charts.completion_bars(
        [r["team_name"] or r["team_id"] for r in data.teams],
        [r["completion_rate"] for r in data.teams],
        t,
        title_key="chart_team_completion",
        pace=None if k["is_closed"] else k["time_progress"],
    )
    product_chart = charts.share_pie(
        [r["product_line"] for r in data.products],
        [r["sales_amount"] for r in data.products],
        t,
        title_key="chart_product_share",
    )
    if data.scope.kind == "company":
        share_chart = charts.share_pie(
            [r["region"] for r in data.regions],
            [r["sales_amount"] for r in data.regions],
            t,
            title_key="chart_region_share",
        )
    elif data.scope.kind == "region":
        share_chart = charts.share_pie(
            [r["team_name"] for r in data.teams],
            [r["sales_amount"] for r in data.teams],
            t,
            title_key="chart_team_share",
        )
    else:
        share_chart = charts.share_pie(
            [r["rep_name"] or r["rep_id"] for r in data.reps],
            [r["sales_amount"] for r in data.reps],
            t,
            title_key="chart_rep_share",
        )
    tops = analysis.top_performers(data)
    lows = analysis.low_performers(data, coaching_completion)
    low_by_rep = {f.rep["rep_id"]: f for f in lows}

    def reason_text(key: str, values: dict) -> str:
        fmt = {
            "top_referral": lambda v: {"value": t.percent(v["value"], 0), "team": t.percent(v["team"], 0)},
            "top_visits": lambda v: {"value": t.number(v["value"], 1), "median": t.number(v["median"], 1)},
            "top_aov": lambda v: {"value": t.money(v["value"]), "median": t.money(v["median"])},
            "cause_activity": lambda v: {
                "value": t.number(v["value"], 1),
                "median": t.number(v["median"], 1),
            },
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

    def key_issue(rep: Row) -> str:
        finding = low_by_rep.get(rep["rep_id"])
        if not finding:
            return ""
        separator = "；" if t.is_zh else "; "
        parts = [reason_text(key, values) for key, values in finding.reasons]
        if finding.coaching:
            parts.append(t("coaching", pct=t.percent(coaching_completion, 0)))
        return separator.join(parts)

    personal = [
        {
            "rep_name": r["rep_name"] or r["rep_id"],
            "team_name": r["team_id"],
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
        for r in data.reps
    ]
    team_rows = [
        {
            "team_id": r["team_id"],
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
            "is_own": data.scope.kind == "team" and r["team_id"] == data.scope.entity_id,
        }
        for r in data.teams
    ]
    team_total = None
    if data.scope.kind != "team":
        team_total = {
            "team_name": t("total"),
            "region": "",
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
    targets = _target_rows(data, t)
    html = _render_html(
        "monthly.html.j2",
        **ctx,
        data=data,
        k=k,
        cards=cards,
        trend_chart=charts.data_uri(trend_chart),
        rep_chart=charts.data_uri(rep_chart),
        team_chart=charts.data_uri(team_chart),
        product_chart=charts.data_uri(product_chart),
        share_chart=charts.data_uri(share_chart),
        personal=personal,
        team_rows=team_rows,
        team_total=team_total,
        targets=targets,
        tops=[
            {
                "rep": f.rep,
                "reasons": [reason_text(key, v) for key, v in f.reasons],
                "referral": data.sources.get(f.rep["rep_id"]),
            }
            for f in tops
        ],
        lows=[
            {"rep": f.rep, "reasons": [reason_text(key, v) for key, v in f.reasons], "coaching": f.coaching}
            for f in lows
        ],
        coaching_pct=t.percent(coaching_completion, 0),
        completeness=_completeness_context(c, t),
    )
    unit = t("money_unit_header")
    sheets = [
        Sheet(
            t("sheet_personal"),
            [
                Column("rep_name", t("rep"), width=12),
                Column("team_name", t("team"), width=14),
                Column("target_amount", t("target_amount") + unit, "money", 13),
                Column("sales_amount", t("actual") + unit, "money", 13),
                Column("completion_rate", t("completion_rate"), "pct", 10),
                Column("yoy", t("yoy"), "pct", 10),
                Column("mom", t("pop_month"), "pct", 10),
                Column("new_customers", t("new_customers"), "int", 10),
                Column("visits", t("visits"), "int", 9),
                Column("win_rate", t("win_rate"), "pct", 9),
                Column("collection_rate", t("collection_rate"), "pct", 9),
                Column("key_issue", t("key_issue"), width=48),
            ],
            personal,
            {
                "rep_name": t("total"),
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
            if data.scope.kind == "team"
            else None,
        ),
        Sheet(
            t("sheet_team"),
            [
                Column("team_name", t("team"), width=14),
                Column("region", t("region"), width=10),
                Column("rep_count", t("rep_count"), "int", 8),
                Column("target_amount", t("target_amount") + unit, "money", 13),
                Column("sales_amount", t("actual") + unit, "money", 13),
                Column("completion_rate", t("completion_rate"), "pct", 10),
                Column("yoy", t("yoy"), "pct", 10),
                Column("mom", t("pop_month"), "pct", 10),
                Column("new_customers", t("new_customers"), "int", 10),
                Column("collection_rate", t("collection_rate"), "pct", 10),
                Column("on_time_rate", t("on_time_rate"), "pct", 10),
            ],
            team_rows,
            team_total,
        ),
        Sheet(
            t("sheet_target"),
            [
                Column("entity", t("rep"), width=14),
                Column("metric", t("metric"), width=14),
                Column("target", t("target_amount"), "number", 14),
                Column("actual", t("actual"), "number", 14),
                Column("gap", t("gap"), "number", 14),
                Column("rate", t("completion_rate"), "pct", 10),
                Column("unit", "", width=8),
            ],
            [{**row, **row["cells"]} for row in targets],
        ),
        _actions_sheet(data.actions, t),
    ]
    figures = [(card["label"], card["value"]) for card in cards[:5]]
    return Brief(
        "monthly",
        data.scope,
        data.period,
        t,
        ctx["title"],
        f"{ctx['scope_name']} · {ctx['period_text']}",
        html,
        sheets,
        figures,
        trend_chart,
        prov,
    )


_METRICS = ("sales_amount", "new_customers", "visits", "collection_rate")


def _target_rows(data: MonthlyData, t: Locale) -> list[dict]:
    """目标对比分析表: the scope's target of each metric against the actual, then each rep's."""
    actual = analysis.metric_actuals(data.kpis)
    explicit = {r["metric"]: r["target_value"] for r in data.metric_targets}
    scope_targets = {**explicit, "sales_amount": data.kpis["target_amount"]}
    rows = [
        _target_row(scope_name(data.scope, t), m, scope_targets.get(m), actual.get(m), t, True)
        for m in _METRICS
        if scope_targets.get(m) is not None or m == "sales_amount"
    ]
    if data.scope.kind != "team":
        for team in data.teams:
            rows.append(
                _target_row(
                    team["team_name"] or team["team_id"],
                    "sales_amount",
                    team["target_amount"],
                    team["sales_amount"],
                    t,
                    False,
                )
            )
        return rows
    for rep in data.reps:
        rep_targets = {m: r["target_value"] for m, r in data.rep_targets.get(rep["rep_id"], {}).items()}
        rep_targets["sales_amount"] = rep["target_amount"]
        rep_actual = analysis.metric_actuals(rep)
        for metric in _METRICS:
            if rep_targets.get(metric) is not None:
                rows.append(
                    _target_row(
                        rep["rep_name"] or rep["rep_id"],
                        metric,
                        rep_targets[metric],
                        rep_actual.get(metric),
                        t,
                        False,
                    )
                )
    return rows


def _target_row(entity: str, metric: str, target, actual, t: Locale, is_scope: bool) -> dict:
    is_money = metric == "sales_amount"
    is_rate = metric == "collection_rate"
    gap = None if target is None or actual is None else float(actual) - float(target)
    rate = None if target in (None, 0) or actual is None or is_rate else float(actual) / float(target)

    def show(value):
        if is_money:
            return t.money(value)
        if is_rate:
            return t.percent(value)
        return t.number(value)

    def cell(value):
        if value is None:
            return None
        if is_money:
            return t.money_unit(value)
        return float(value) * 100 if is_rate else float(value)

    return {
        "entity": entity,
        "metric": t(metric),
        "is_scope": is_scope,
        "target_text": show(target),
        "actual_text": show(actual),
        "gap_text": (t.points(gap) if is_rate else ("+" if gap >= 0 else "") + show(gap))
        if gap is not None
        else "—",
        "rate_text": t.percent(rate),
        "behind": gap is not None and gap < 0,
        "cells": {
            "target": cell(target),
            "actual": cell(actual),
            "gap": cell(gap),
            "rate": rate,
            "unit": ("万元" if t.is_zh else "CNY") if is_money else ("%" if is_rate else ""),
        },
    }
