"""The data-quality checks on the dq marts, free of Dagster: what each check reports and for whom.

The rules themselves live in dbt (`dbt_project/models/quality`): every finding is a row of
`marts.dq_submissions` (late, missing) or `marts.dq_anomalies` (everything else). A check
here only groups those rows: it fails when its rows exist, and says which reps and teams they
concern, so the Dagster UI shows what failed and for whom.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

SUBMISSIONS = "dq_submissions"
ANOMALIES = "dq_anomalies"

# One frame shape for both marts: what the metadata tables and the digest show.
_SUBMISSION_FINDINGS = """
select
    s.expected_report_id || ':' || s.status as finding_id,
    s.rep_id, r.rep_name, s.team_id, s.report_type || '_' || s.status as kind,
    s.period_start as start_date, s.period_end as end_date,
    s.report_type || ' report ' || s.period_label || ' ' || s.status
        || coalesce(' by ' || s.minutes_late || ' min', '') as detail
from marts.dq_submissions as s
left join marts.dim_reps as r on s.rep_id = r.rep_id and r.is_current
where list_contains(?, s.status)
order by s.period_start desc, s.rep_id
"""

_ANOMALY_FINDINGS = """
select
    a.anomaly_id as finding_id, a.rep_id, r.rep_name, a.team_id, a.kind, a.start_date, a.end_date, a.detail
from marts.dq_anomalies as a
left join marts.dim_reps as r on a.rep_id = r.rep_id and r.is_current
where list_contains(?, a.kind)
order by a.start_date desc, a.rep_id, a.anomaly_id
"""


# What a rule looks at, to tell "nothing found" from "nothing to look at": a check over 0 rows
# is skipped with the reason, not passed. {label: SQL counting the rows}.
_EXPECTED_REPORTS = {"expected reports (marts.dq_submissions)": "select count(*) from marts.dq_submissions"}
_DAILY_REPORTS = {"daily reports (marts.fct_daily_reports)": "select count(*) from marts.fct_daily_reports"}
_REPORTS = {
    **_DAILY_REPORTS,
    "weekly reports (marts.fct_weekly_reports)": "select count(*) from marts.fct_weekly_reports",
}
_RECORDS = {
    **_REPORTS,
    "orders (marts.fct_orders)": "select count(*) from marts.fct_orders",
    "payments (marts.fct_payments)": "select count(*) from marts.fct_payments",
}
_PAYMENTS = {"payments (marts.fct_payments)": "select count(*) from marts.fct_payments"}
_TARGETED_REP_MONTHS = {
    "rep-months with a target (marts.kpi_rep_monthly)": (
        "select count(*) from marts.kpi_rep_monthly where completion_rate is not null"
    )
}


@dataclass(frozen=True)
class CheckRule:
    """One asset check: the rows of `table` whose kind (or status) is in `values`, looked for
    among the rows `population` counts."""

    name: str
    table: str
    values: tuple[str, ...]
    severity: str  # "error" | "warn"
    description: str
    population: dict[str, str] = field(default_factory=dict)


RULES: tuple[CheckRule, ...] = (
    CheckRule(
        "late_reports",
        SUBMISSIONS,
        ("late",),
        "warn",
        "迟交 Daily reports submitted after 17:00 on their day, weekly reports after Monday 12:00.",
        _EXPECTED_REPORTS,
    ),
    CheckRule(
        "missing_reports",
        SUBMISSIONS,
        ("missing",),
        "warn",
        "缺交 Expected daily or weekly reports not submitted by the end of the as-of date.",
        _EXPECTED_REPORTS,
    ),
    CheckRule(
        "zero_visit_streaks",
        ANOMALIES,
        ("zero_visit_streak",),
        "warn",
        "连续零拜访 Reps with zero visits on N consecutive working days (SALESPULSE_ZERO_VISIT_STREAK_DAYS).",
        _DAILY_REPORTS,
    ),
    CheckRule(
        "activity_anomalies",
        ANOMALIES,
        ("activity_spike", "activity_drop", "team_volume_drop"),
        "warn",
        "活动异常 Visits or calls |z| >= SALESPULSE_ANOMALY_Z against the rep's own weekday-aware "
        "baseline, and drops of a team's daily submission volume.",
        _DAILY_REPORTS,
    ),
    CheckRule(
        "duplicate_submissions",
        ANOMALIES,
        ("duplicate_submission",),
        "warn",
        "重复提交 More than one submission for one rep and day (or week).",
        _REPORTS,
    ),
    CheckRule(
        "impossible_values",
        ANOMALIES,
        ("impossible_value", "rejected_report", "future_date", "submitted_before_day"),
        "error",
        "数值异常 Negative or absurd values (visits above SALESPULSE_MAX_DAILY_VISITS), dates in the "
        "future, reports submitted before their day.",
        _RECORDS,
    ),
    CheckRule(
        "unknown_references",
        ANOMALIES,
        ("unknown_rep", "unknown_customer", "unknown_receivable"),
        "error",
        "未知引用 Orders or reports of reps not in the roster, orders of unknown customers, payments of "
        "unknown receivables.",
        _RECORDS,
    ),
    CheckRule(
        "overpayments",
        ANOMALIES,
        ("payment_exceeds_receivable",),
        "error",
        "超额回款 Receivables (or orders) paid more than they are due.",
        _PAYMENTS,
    ),
    CheckRule(
        "behind_pace",
        ANOMALIES,
        ("behind_pace",),
        "warn",
        "进度落后 Reps and teams whose completion is more than SALESPULSE_BEHIND_PACE_POINTS behind time "
        "progress after the middle of the month.",
        _TARGETED_REP_MONTHS,
    ),
    CheckRule(
        "needs_coaching",
        ANOMALIES,
        ("needs_coaching",),
        "warn",
        "需辅导 Reps below SALESPULSE_COACHING_COMPLETION of target two months in a row.",
        _TARGETED_REP_MONTHS,
    ),
)


@dataclass
class CheckOutcome:
    rule: CheckRule
    findings: pd.DataFrame
    reps: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    skipped_reason: str | None = None  # set when there was nothing to check

    @property
    def skipped(self) -> bool:
        return self.skipped_reason is not None

    @property
    def passed(self) -> bool:
        return self.findings.empty

    @property
    def count(self) -> int:
        return len(self.findings)


def population(con: duckdb.DuckDBPyConnection, rule: CheckRule) -> dict[str, int] | None:
    """Rows the rule looks at, by source; None when a source is not built (then nobody can say)."""
    counts = {}
    for label, sql in rule.population.items():
        try:
            counts[label] = int(con.execute(sql).fetchone()[0])
        except duckdb.CatalogException:
            return None
    return counts


def skip_reason(con: duckdb.DuckDBPyConnection, rule: CheckRule) -> str | None:
    """Why the rule cannot say anything (every source it looks at is empty), or None."""
    counts = population(con, rule)
    if not counts or any(counts.values()):
        return None
    return "nothing to check: 0 " + ", 0 ".join(counts)


def evaluate(con: duckdb.DuckDBPyConnection, rule: CheckRule) -> CheckOutcome:
    reason = skip_reason(con, rule)
    if reason is not None:
        empty = pd.DataFrame(
            columns=[
                "finding_id",
                "rep_id",
                "rep_name",
                "team_id",
                "kind",
                "start_date",
                "end_date",
                "detail",
            ]
        )
        return CheckOutcome(rule, empty, skipped_reason=reason)
    sql = _SUBMISSION_FINDINGS if rule.table == SUBMISSIONS else _ANOMALY_FINDINGS
    frame = con.execute(sql, [list(rule.values)]).df()
    reps = sorted(frame["rep_id"].dropna().unique().tolist())
    teams = sorted(frame["team_id"].dropna().unique().tolist())
    return CheckOutcome(rule, frame, reps, teams)


def rep_named(rep_id, rep_name) -> str:
    """'许鹏颖 (R023)': checks and digests name reps by name and id."""
    if rep_id is None or (not isinstance(rep_id, str) and pd.isna(rep_id)):
        return ""
    if rep_name is None or (not isinstance(rep_name, str) and pd.isna(rep_name)):
        return str(rep_id)
    return f"{rep_name} ({rep_id})"


def named_reps(findings: pd.DataFrame) -> list[str]:
    pairs = findings[["rep_id", "rep_name"]].dropna(subset=["rep_id"]).drop_duplicates("rep_id")
    return sorted(rep_named(r.rep_id, r.rep_name) for r in pairs.itertuples(index=False))


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | date):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("|", "\\|")


def by_rep_markdown(findings: pd.DataFrame, limit: int = 50) -> str:
    """Reps concerned, most findings first: what the UI shows under the failed check."""
    if findings.empty:
        return "No findings."
    names = [
        rep_named(i, n) or "(none)" for i, n in zip(findings["rep_id"], findings["rep_name"], strict=True)
    ]
    frame = findings.assign(rep_id=names)
    grouped = (
        frame.groupby("rep_id", dropna=False)
        .agg(
            team_id=("team_id", "last"),
            findings=("kind", "size"),
            kinds=("kind", lambda s: ", ".join(sorted(set(s)))),
            latest=("end_date", "max"),
        )
        .sort_values(["findings", "latest"], ascending=[False, False])
        .head(limit)
    )
    lines = ["| rep | team | findings | kinds | latest |", "|---|---|---:|---|---|"]
    for rep, row in grouped.iterrows():
        cells = [_cell(rep), _cell(row.team_id), str(row.findings), _cell(row.kinds), _cell(row.latest)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def findings_markdown(findings: pd.DataFrame, limit: int = 30) -> str:
    """The most recent findings, one line each."""
    if findings.empty:
        return "No findings."
    lines = ["| rep | team | kind | from | to | detail |", "|---|---|---|---|---|---|"]
    for row in findings.head(limit).itertuples(index=False):
        lines.append(
            f"| {_cell(rep_named(row.rep_id, row.rep_name))} | {_cell(row.team_id)} | {_cell(row.kind)} "
            f"| {_cell(row.start_date)} "
            f"| {_cell(row.end_date)} | {_cell(row.detail)} |"
        )
    if len(findings) > limit:
        lines.append(f"\n… and {len(findings) - limit} more: query marts.{ANOMALIES} / marts.{SUBMISSIONS}.")
    return "\n".join(lines)


def digest_markdown(rows: list[dict]) -> str:
    """The failed and skipped checks of a run, as the digest asset's metadata shows them."""
    failed = [row for row in rows if row.get("status", "failed") == "failed"]
    skipped = [row for row in rows if row.get("status") == "skipped"]
    lines = []
    if failed:
        lines += ["| asset | check | severity | findings | reps concerned |", "|---|---|---|---:|---|"]
        for row in failed:
            named = row.get("reps_named") or row["reps_concerned"]
            reps = ", ".join(named[:20]) + (" …" if len(named) > 20 else "")
            findings = "" if row["findings"] is None else row["findings"]
            lines.append(
                f"| {_cell(row['asset_key'])} | {_cell(row['check_name'])} | {row['severity']} "
                f"| {findings} | {_cell(reps)} |"
            )
    else:
        lines.append("Every check that had rows to check passed.")
    if skipped:
        lines += ["", "Skipped (nothing to check):", "", "| asset | check | reason |", "|---|---|---|"]
        lines += [
            f"| {_cell(row['asset_key'])} | {_cell(row['check_name'])} | {_cell(row['reason'])} |"
            for row in skipped
        ]
    return "\n".join(lines)
