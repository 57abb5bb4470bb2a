"""Every table of every brief, declared once: its columns (label, kind, width, colour rule) feed
both the HTML table and the XLSX sheet, so the two cannot drift apart.

A `Table` is a spec plus rows of raw values; `html_rows` formats them for the reader's locale
(the template only lays them out), and render.xlsx_bytes writes the same columns with number
formats and conditional colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from salespulse.briefs.data import Row
from salespulse.briefs.i18n import DASH, Locale

# Column kinds: how a value is shown and stored.
#   text | name (never wraps) | money | int | number (1 decimal) | pct | signed_pct | points
#   | date (with the year) | status (an i18n status key, shown as a badge)
NUMERIC = {"money", "int", "number", "pct", "signed_pct", "points"}


@dataclass(frozen=True)
class Col:
    key: str
    label: str  # i18n key of the header
    kind: str = "text"
    width: float = 10  # XLSX column width in characters
    tone: str | None = None  # completion | pace | gap: red/green in HTML and XLSX
    wrap: bool = False  # long text that may wrap (a measure, an obstacle)
    html: bool = True  # False: in the XLSX only (a long text the brief shows in its own section)


@dataclass(frozen=True)
class Spec:
    title: str  # i18n key: section heading and sheet name
    columns: tuple[Col, ...]
    sheet: str | None = None  # i18n key of the sheet name when it differs from the title


@dataclass
class Table:
    spec: Spec
    rows: list[Row]
    total: Row | None = None
    pace: float | None = None  # time elapsed of an open period (completion colours)
    limit: int | None = None  # rows shown in HTML/PDF (the XLSX has all)
    more_note: str = ""
    columns: tuple[Col, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns = self.spec.columns

    def without(self, *keys: str) -> Table:
        """The same table without some columns (e.g. the team column in a team's own brief)."""
        self.columns = tuple(c for c in self.columns if c.key not in keys)
        return self


# ---------------------------------------------------------------------------------------------
# formatting


def header(col: Col, t: Locale, *, xlsx: bool = False) -> str:
    text = t(col.label)
    if col.kind == "money":
        text += t("money_unit_header_xlsx" if xlsx else "money_unit_header")
    return text


def cell_text(value: Any, col: Col, t: Locale) -> str:
    if value is None or value == "":
        return DASH if col.kind in NUMERIC or col.kind == "date" else ""
    kind = col.kind
    if kind == "money":
        return t.money_plain(value)
    if kind == "int":
        return t.number(value)
    if kind == "number":
        return t.number(value, 1)
    if kind == "pct":
        return t.percent(value)
    if kind == "signed_pct":
        return t.signed_percent(value)
    if kind == "points":
        return t.points(value)
    if kind == "date":
        return t.table_date(value) if isinstance(value, date) else str(value)
    if kind == "status":
        return t.status(value)
    return str(value)


def tone(value: Any, col: Col, pace: float | None) -> str:
    """good | warn | bad for a coloured column; the same thresholds drive the XLSX colours."""
    if col.tone is None or value is None:
        return ""
    v = float(value)
    if col.tone == "completion":
        reference = 1.0 if pace is None else pace
        if v >= 1 or v >= reference:
            return "good"
        return "bad" if v < reference - 0.2 else "warn"
    if col.tone == "pace":
        return "good" if v >= 0 else "bad" if v < -0.2 else "warn"
    if col.tone == "gap":
        return "good" if v >= 0 else "bad"
    return ""


def html_rows(table: Table, t: Locale) -> dict:
    """Headers and formatted cells, each with its CSS classes."""
    columns = [c for c in table.columns if c.html]
    heads = [{"text": header(c, t), "cls": _classes(c)} for c in columns]
    shown = table.rows if table.limit is None else table.rows[: table.limit]
    body = []
    for row in shown:
        cells = []
        for c in columns:
            value = row.get(c.key)
            cls = " ".join(x for x in (_classes(c), tone(value, c, table.pace)) if x)
            cells.append({"text": cell_text(value, c, t), "cls": cls, "status": c.kind == "status" and value})
        body.append({"cells": cells, "cls": row.get("_cls", "")})
    total = None
    if table.total is not None:
        total = [{"text": cell_text(table.total.get(c.key), c, t), "cls": _classes(c)} for c in columns]
    hidden = len(table.rows) - len(shown)
    note = t("more_rows_xlsx", n=hidden) if hidden > 0 else ""
    return {"heads": heads, "rows": body, "total": total, "more": note}


def _classes(col: Col) -> str:
    if col.kind in NUMERIC or col.kind == "date":
        return "num"
    if col.kind == "name":
        return "name"
    return "text" if col.wrap else ""


# ---------------------------------------------------------------------------------------------
# the tables (one declaration each)

REP, TEAM, REGION = (
    Col("rep_label", "rep", "name", 16),
    Col("team_name", "team", "name", 14),
    Col("region", "region", "name", 10),
)

WEEK_BY_REP = Spec(
    "sec_reps_week",
    (
        REP,
        Col("target_amount", "target_amount", "money", 13),
        Col("sales_amount", "sales_amount", "money", 13),
        Col("completion_rate", "completion_rate", "pct", 10, tone="completion"),
        Col("orders_count", "orders_count", "int", 8),
        Col("visits", "visits", "int", 8),
        Col("calls", "calls", "int", 8),
        Col("daily", "daily_reports", "text", 12),
        Col("weekly", "weekly_report", "status", 12),
    ),
    "sheet_week",
)

LEADERBOARD = Spec(
    "sec_leaderboard",
    (
        Col("rank", "rank", "int", 6),
        REP,
        Col("month_sales", "mtd_sales", "money", 13),
        Col("month_target", "month_target", "money", 13),
        Col("month_completion", "completion_rate", "pct", 10, tone="completion"),
        Col("week_sales", "week_sales", "money", 13),
    ),
    "sheet_leaderboard",
)

NEW_HIRES = Spec(
    "sec_new_hires",
    (
        REP,
        Col("hire_date", "hire_date", "date", 12),
        Col("month_target", "ramp_target", "money", 13),
        Col("month_sales", "mtd_sales", "money", 13),
        Col("month_completion", "completion_rate", "pct", 10, tone="completion"),
    ),
    "sheet_new_hires",
)

FORECAST = Spec(
    "sec_forecast",
    (
        Col("entity", "entity", "name", 16),
        Col("horizon", "horizon", "name", 10),
        Col("target", "target_amount", "money", 13),
        Col("sales", "to_date", "money", 13),
        Col("run_rate", "proj_run_rate", "money", 13),
        Col("run_rate_completion", "proj_completion", "pct", 10, tone="completion"),
        Col("pipeline_weighted", "proj_pipeline", "money", 13),
        Col("gap", "proj_gap", "money", 13, tone="gap"),
        Col("needed", "needed_per_day", "money", 13),
    ),
    "sheet_forecast",
)

BELOW_TARGET = Spec(
    "sec_below_target",
    (
        REP,
        Col("completion_rate", "completion_rate", "pct", 10, tone="completion"),
        Col("gap", "gap", "money", 12, tone="gap"),
        Col("category", "obstacle_category", "name", 10),
        Col("obstacle", "obstacle", "text", 36, wrap=True),
        Col("support", "support_needed", "text", 30, wrap=True),
    ),
    "sheet_obstacles",
)

KEY_CUSTOMERS = Spec(
    "sec_key_customers", (REP, Col("text", "key_customer_progress", "text", 70, wrap=True)), "sheet_progress"
)
SUPPORT = Spec("sec_support", (REP, Col("text", "support_needed", "text", 70, wrap=True)), "sheet_support")

ACTIONS = Spec(
    "sec_actions",
    (
        Col("problem", "problem", "text", 30, wrap=True),
        Col("measure", "measure", "text", 36, wrap=True),
        Col("owner", "owner", "name", 16),
        Col("review", "review", "name", 12),
        Col("due_date", "due_date", "date", 12),
        Col("status", "status", "status", 10),
    ),
    "sheet_actions",
)

PERSONAL = Spec(
    "sec_personal",
    (
        REP,
        TEAM,
        Col("target_amount", "target_amount", "money", 12),
        Col("sales_amount", "actual", "money", 12),
        Col("completion_rate", "completion_rate", "pct", 9, tone="completion"),
        Col("yoy", "yoy", "signed_pct", 9),
        Col("mom", "pop_month", "signed_pct", 9),
        Col("new_customers", "new_customers_short", "int", 8),
        Col("visits", "visits", "int", 8),
        Col("win_rate", "win_rate", "pct", 8),
        Col("collection_rate", "collection_rate", "pct", 9),
        # In the PDF the causes are the "low performers" section; the sheet keeps them per row.
        Col("key_issue", "key_issue", "text", 48, wrap=True, html=False),
    ),
    "sheet_personal",
)

TEAM_SUMMARY = Spec(
    "sec_team_summary",
    (
        TEAM,
        REGION,
        Col("rep_count", "rep_count", "int", 7),
        Col("target_amount", "target_amount", "money", 12),
        Col("sales_amount", "actual", "money", 12),
        Col("completion_rate", "completion_rate", "pct", 9, tone="completion"),
        Col("yoy", "yoy", "signed_pct", 9),
        Col("mom", "pop_month", "signed_pct", 9),
        Col("new_customers", "new_customers_short", "int", 8),
        Col("collection_rate", "collection_rate", "pct", 9),
        Col("on_time_rate", "on_time_rate", "pct", 9),
    ),
    "sheet_team",
)

SCOPE_TARGETS = Spec(
    "sec_scope_targets",
    (
        Col("metric", "metric", "name", 16),
        Col("target_text", "target_amount", "text", 14),
        Col("actual_text", "actual", "text", 14),
        Col("gap_text", "gap", "text", 14),
        Col("rate", "completion_rate", "pct", 10, tone="completion"),
    ),
    "sheet_scope_targets",
)

# 目标对比分析表: one row per rep (team pack) or per team (region and company packs).
TARGETS_BY_REP = Spec(
    "sec_target_vs_actual",
    (
        REP,
        Col("sales_target", "sales_target", "money", 12),
        Col("sales_actual", "sales_actual", "money", 12),
        Col("sales_rate", "completion_rate", "pct", 9, tone="completion"),
        Col("nc_target", "nc_target", "int", 9),
        Col("nc_actual", "nc_actual", "int", 9),
        Col("visits_target", "visits_target", "int", 9),
        Col("visits_actual", "visits_actual", "int", 9),
        Col("collection_target", "collection_target", "pct", 9),
        Col("collection_actual", "collection_actual", "pct", 9),
    ),
    "sheet_target",
)
TARGETS_BY_TEAM = Spec(
    "sec_target_vs_actual",
    (
        TEAM,
        Col("sales_target", "sales_target", "money", 12),
        Col("sales_actual", "sales_actual", "money", 12),
        Col("sales_gap", "gap", "money", 12, tone="gap"),
        Col("sales_rate", "completion_rate", "pct", 9, tone="completion"),
        Col("pace_gap", "pace_gap", "points", 10, tone="pace"),
    ),
    "sheet_target",
)

EXCEPTIONS = Spec(
    "sheet_exceptions",
    (
        Col("section", "kind", "name", 16),
        REP,
        Col("status", "status", "status", 10),
        Col("start_date", "dates", "date", 12),
        Col("value", "value", "number", 9),
        Col("baseline", "baseline", "number", 9),
        Col("minutes_late", "minutes_late", "int", 10),
        Col("detail", "detail", "text", 48, wrap=True),
    ),
)

LATE_MISSING = Spec(
    "sec_late_missing",
    (
        REP,
        Col("status", "status", "status", 10),
        Col("submitted_at", "submitted_at", "text", 14),
        Col("minutes_late", "minutes_late", "int", 10),
    ),
)
STREAKS = Spec(
    "sec_streaks",
    (
        REP,
        Col("dates", "dates", "text", 16),
        Col("value", "days_count", "int", 8),
        Col("detail", "detail", "text", 40, wrap=True),
    ),
)
ANOMALIES = Spec(
    "sec_anomalies",
    (
        REP,
        Col("kind_label", "kind", "name", 14),
        Col("dates", "dates", "text", 14),
        Col("value", "value", "number", 8),
        Col("baseline", "baseline", "number", 8),
        Col("detail", "detail", "text", 40, wrap=True),
    ),
)
UNKNOWN_ORDERS = Spec(
    "sec_unknown_orders",
    (
        Col("order_id", "order_id", "name", 14),
        Col("owner_rep_id", "unknown_owner", "name", 12),
        Col("signed_date", "signed_date", "date", 12),
        Col("amount", "amount", "money", 12),
    ),
    "sheet_unknown_orders",
)
