"""The review-meeting reading of a month (the seed's 步骤4): what top performers do differently,
and the likely cause behind a low performer — each as a code plus the numbers behind it, so the
wording stays in the templates' locale.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salespulse.briefs.data import MonthlyData, Row, median

TOP_COUNT = 3
# A rep is "clearly below" the team on a driver when under this share of the team median.
CAUSE_RATIO = 0.85


@dataclass
class Finding:
    rep: Row
    reasons: list[tuple[str, dict]] = field(default_factory=list)  # (label key, values)
    # 需辅导: the threshold the rep was below two months running (the dq_anomalies finding's), or
    # None when the rep does not need coaching.
    coaching: float | None = None


def _ratio(value, reference) -> float | None:
    if value is None or reference in (None, 0):
        return None
    return float(value) / float(reference)


def _referral_share(data: MonthlyData, rep_id: str) -> float | None:
    source = data.sources.get(rep_id)
    if not source or not source["new_customers"]:
        return None
    return source["referral_customers"] / source["new_customers"]


def _scope_referral_share(data: MonthlyData) -> float | None:
    ids = {r["rep_id"] for r in data.reps}
    new = sum(s["new_customers"] for rid, s in data.sources.items() if rid in ids)
    referral = sum(s["referral_customers"] for rid, s in data.sources.items() if rid in ids)
    return referral / new if new else None


def top_performers(data: MonthlyData) -> list[Finding]:
    """The best completion rates at or above 100 %, with what sets them apart."""
    ranked = [r for r in data.reps if r["completion_rate"] is not None and r["completion_rate"] >= 1]
    ranked.sort(key=lambda r: r["completion_rate"], reverse=True)
    visits_median = median([r["visits_per_workday"] for r in data.reps])
    aov_median = median([r["avg_order_value"] for r in data.reps])
    team_referral = _scope_referral_share(data)
    findings = []
    for rep in ranked[:TOP_COUNT]:
        candidates = []
        share = _referral_share(data, rep["rep_id"])
        ratio = _ratio(share, team_referral)
        if ratio and ratio > 1.15:
            candidates.append((ratio, "top_referral", {"value": share, "team": team_referral}))
        ratio = _ratio(rep["visits_per_workday"], visits_median)
        if ratio and ratio > 1.1:
            candidates.append(
                (ratio, "top_visits", {"value": rep["visits_per_workday"], "median": visits_median})
            )
        ratio = _ratio(rep["avg_order_value"], aov_median)
        if ratio and ratio > 1.15:
            candidates.append((ratio, "top_aov", {"value": rep["avg_order_value"], "median": aov_median}))
        candidates.sort(key=lambda c: c[0], reverse=True)
        findings.append(Finding(rep, [(key, values) for _, key, values in candidates[:2]]))
    return findings


def low_performers(data: MonthlyData, coaching_completion: float) -> list[Finding]:
    """Reps under the coaching threshold this month, worst first, with the driver most clearly
    behind the team: activity (visits per working day), conversion (win rate) or collection
    (collection rate). Whether a rep needs coaching (below it two months running) is not decided
    here: it is the needs_coaching finding of the data-quality mart, read with the month's data."""
    medians = {
        "cause_activity": median([r["visits_per_workday"] for r in data.reps]),
        "cause_conversion": median([r["win_rate"] for r in data.reps]),
        "cause_collection": median([r["collection_rate"] for r in data.reps]),
    }
    columns = {
        "cause_activity": "visits_per_workday",
        "cause_conversion": "win_rate",
        "cause_collection": "collection_rate",
    }
    low = [
        r
        for r in data.reps
        if r["completion_rate"] is not None and r["completion_rate"] < coaching_completion
    ]
    low.sort(key=lambda r: r["completion_rate"])
    findings = []
    for rep in low:
        ratios = []
        for key, column in columns.items():
            ratio = _ratio(rep[column], medians[key])
            if ratio is not None and ratio < CAUSE_RATIO:
                ratios.append((ratio, key, {"value": rep[column], "median": medians[key]}))
        ratios.sort(key=lambda c: c[0])
        coaching = None
        finding = data.needs_coaching.get(rep["rep_id"])
        if finding is not None:
            threshold = finding.get("threshold_value")
            coaching = coaching_completion if threshold is None else float(threshold)
        reasons = [(key, values) for _, key, values in ratios[:2]] or [("cause_unclear", {})]
        findings.append(Finding(rep, reasons, coaching))
    return findings


def metric_actuals(row: Row) -> dict[str, object]:
    """The actual value of each target metric in a KPI row."""
    return {
        "sales_amount": row.get("sales_amount"),
        "new_customers": row.get("new_customers"),
        "visits": row.get("visits"),
        "collection_rate": row.get("collection_rate"),
        "orders_count": row.get("orders_count"),
        "new_leads": row.get("new_leads"),
        "win_rate": row.get("win_rate"),
    }
