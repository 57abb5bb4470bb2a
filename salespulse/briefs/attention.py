"""需关注 / Needs attention: the few things a director should act on, each one sentence with the
number and the person, ranked — what every brief opens with.

Each finder turns brief data into candidate items of one kind, largest first. `rank` then takes
the best item of every kind in the brief kind's order, then the second of every kind, and so on
up to the cap, so that one noisy kind (ten reps behind pace) cannot hide the others (an
overdue receivable, an unknown rep's orders). Values stay typed (money, percent, date, …) so
the wording and the number formats belong to the reader's locale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from salespulse.briefs.data import Row
from salespulse.briefs.forecast import project


@dataclass(frozen=True)
class Value:
    kind: str  # money | pct | points | int | date | text | people
    value: object


@dataclass
class Item:
    kind: str  # the finder, also the i18n key of the sentence: attn_<kind>
    magnitude: float  # orders items of one kind
    values: dict[str, Value] = field(default_factory=dict)
    person: str | None = None  # rep_id the item is about, when one
    tone: str = "bad"  # bad | warn

    @property
    def label(self) -> str:
        return f"attn_{self.kind}"


def name_of(row: Row, key: str = "rep") -> str:
    """'Name (id)' so that two reps of one name are told apart."""
    name = row.get(f"{key}_name")
    rep_id = row.get(f"{key}_id") or row.get(f"{key}_rep_id")
    return f"{name} ({rep_id})" if name and rep_id else str(name or rep_id or "")


def _money(value) -> Value:
    return Value("money", float(value or 0))


# ---------------------------------------------------------------------------------------------
# finders: data → candidate items, largest first


def behind_pace(reps: Iterable[Row], *, closed: bool) -> list[Item]:
    """Reps furthest behind where they should be by now: the amount between the sales pace
    (target × time elapsed) and the sales, with what it takes per remaining working day.

    Every rep short of the linear pace is a candidate, ranked by money; this is not the 进度落后
    finding of the data-quality mart (dq_anomalies kind behind_pace: more than
    SALESPULSE_BEHIND_PACE_POINTS behind, after mid-month), which the briefs do not restate."""
    items = []
    for rep in reps:
        target, rate, progress = (
            rep.get("target_amount"),
            rep.get("completion_rate"),
            rep.get("time_progress"),
        )
        if target is None or rate is None or progress is None or rate >= progress:
            continue
        shortfall = float(target) * float(progress) - float(rep["sales_amount"] or 0)
        values = {
            "name": Value("text", name_of(rep)),
            "completion": Value("pct", rate),
            "progress": Value("pct", progress),
            "shortfall": _money(shortfall),
        }
        if closed:
            items.append(Item("missed_target", shortfall, values, rep["rep_id"]))
            continue
        needed = project(rep).needed_per_workday
        values["needed"] = _money(needed)
        values["points"] = Value("points", rate - progress)
        items.append(Item("behind_pace", shortfall, values, rep["rep_id"]))
    return sorted(items, key=lambda i: -i.magnitude)


def no_report(streaks: Iterable[Row], min_days: int) -> list[Item]:
    """Reps whose daily reports have been missing for `min_days` working days or more, up to
    the latest day one was due."""
    items = [
        Item(
            "no_report",
            float(s["missing_days"]),
            {
                "name": Value("text", name_of(s)),
                "days": Value("int", s["missing_days"]),
                "since": Value("date", s["first_missing"]),
            },
            s["rep_id"],
        )
        for s in streaks
        if s["missing_days"] >= min_days
    ]
    return sorted(items, key=lambda i: -i.magnitude)


def biggest_drop(reps: Iterable[Row], previous: dict[str, float], min_share: float) -> list[Item]:
    """Sales against the previous period of the same grain; only falls of `min_share` or more."""
    items = []
    for rep in reps:
        before = previous.get(rep["rep_id"])
        if not before or before <= 0:
            continue
        now = float(rep["sales_amount"] or 0)
        drop = before - now
        if drop / before < min_share:
            continue
        values = {
            "name": Value("text", name_of(rep)),
            "share": Value("pct", drop / before),
            "before": _money(before),
            "now": _money(now),
        }
        items.append(Item("sales_drop", drop, values, rep["rep_id"], "warn"))
    return sorted(items, key=lambda i: -i.magnitude)


def overdue_receivables(reps: Iterable[Row]) -> list[Item]:
    items = [
        Item(
            "overdue_receivables",
            float(rep["overdue_receivables"]),
            {"name": Value("text", name_of(rep)), "amount": _money(rep["overdue_receivables"])},
            rep["rep_id"],
        )
        for rep in reps
        if rep.get("overdue_receivables") and float(rep["overdue_receivables"]) > 0
    ]
    return sorted(items, key=lambda i: -i.magnitude)


def overdue_actions(actions: Iterable[Row], as_of: date) -> list[Item]:
    """Owners with open action items past their due date: how many, and the oldest."""
    by_owner: dict[str, list[Row]] = defaultdict(list)
    for action in actions:
        if action.get("is_open") and action.get("due_date") and action["due_date"] < as_of:
            by_owner[action["owner_rep_id"] or ""].append(action)
    items = []
    for owned in by_owner.values():
        oldest = min(owned, key=lambda a: (a["due_date"], a["action_id"]))
        days = (as_of - oldest["due_date"]).days
        items.append(
            Item(
                "overdue_actions",
                days + len(owned) / 100,
                {
                    "name": Value("text", name_of(oldest, "owner")),
                    "count": Value("int", len(owned)),
                    "problem": Value("text", oldest["problem"] or ""),
                    "due": Value("date", oldest["due_date"]),
                    "days": Value("int", days),
                },
                oldest["owner_rep_id"],
                "warn",
            )
        )
    return sorted(items, key=lambda i: -i.magnitude)


def unknown_rep_orders(orders: Sequence[Row]) -> list[Item]:
    """Orders whose owner is not in the roster: in no total (SPEC §7), so someone must fix the
    roster or the order."""
    if not orders:
        return []
    total = sum(float(o["amount"] or 0) for o in orders)
    reps = sorted({o["owner_rep_id"] for o in orders if o["owner_rep_id"]})
    values = {
        "count": Value("int", len(orders)),
        "amount": _money(total),
        "reps": Value("text", ", ".join(reps)),
    }
    return [Item("unknown_rep_orders", total, values, None, "warn")]


def zero_visit_streaks(streaks: Iterable[Row]) -> list[Item]:
    items = []
    for s in streaks:
        days = int(s.get("value") or 0)
        values = {
            "name": Value("text", name_of(s)),
            "days": Value("int", days),
            "since": Value("date", s["start_date"]),
        }
        items.append(Item("zero_visits", days, values, s.get("rep_id"), "warn"))
    return sorted(items, key=lambda i: -i.magnitude)


def missing_today(late_or_missing: Sequence[Row]) -> list[Item]:
    missing = [r for r in late_or_missing if r["status"] == "missing"]
    if not missing:
        return []
    names = [name_of(r) for r in missing]
    shown = ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
    return [
        Item(
            "missing_today",
            len(missing),
            {"count": Value("int", len(missing)), "names": Value("text", shown)},
        )
    ]


def error_findings(anomalies: Iterable[Row]) -> list[Item]:
    items = []
    for a in anomalies:
        if a.get("severity") != "error":
            continue
        values = {
            "name": Value("text", name_of(a) or a.get("team_id") or ""),
            "kind": Value("text", a["kind"]),
            "detail": Value("text", a.get("detail") or ""),
        }
        items.append(Item("error_finding", 1.0, values, a.get("rep_id")))
    return items


# ---------------------------------------------------------------------------------------------


def rank(candidates: dict[str, list[Item]], order: Sequence[str], limit: int) -> list[Item]:
    """Round-robin over the kinds in `order` (each kind's list largest first), up to `limit`."""
    queues = [list(candidates.get(kind, [])) for kind in order]
    chosen: list[Item] = []
    while len(chosen) < limit and any(queues):
        for queue in queues:
            if queue and len(chosen) < limit:
                chosen.append(queue.pop(0))
    return chosen
