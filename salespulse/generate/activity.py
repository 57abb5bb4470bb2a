"""Daily (日报) and weekly (周报) reports, vectorised, with the planted deviations.

Normal data is built so that nothing in it is deviant: daily reports are submitted on the day
between 15:00:00 and 16:59:59, visits are 1..20, calls are the rep's level ± a small bounded
noise, weekly reports arrive between Friday 15:00 and Monday 11:00. Every deviation is then
planted at a seeded position and recorded.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from salespulse.generate import names as N
from salespulse.generate.org import Cal, Crm, Org

# Weekday effects (index = date.weekday(); 5/6 are 调休 make-up days), zero by default, and bounded
# uniform noise: a normal value never strays more than 1.5 standard deviations from the rep's level,
# so a trailing-baseline z-score never reaches 3 on normal data.
VISIT_WEEKDAY = np.array([0, 0, 0, 0, 0, 0, 0])
CALL_WEEKDAY = np.array([0, 0, 0, 0, 0, 0, 0])
VISIT_NOISE = 1
CALL_NOISE = 3
BASELINE_DAYS = 20
SMOOTH_Z = 2.2
VALUE_GAP = 30  # working days between two value events of one rep
ANY_GAP = 3  # working days between any two events of one rep


@dataclass
class Daily:
    """One row per report (duplicates included); parallel numpy arrays."""

    days: np.ndarray  # window working days, datetime64[D]
    rep: np.ndarray  # index into org.reps
    day: np.ndarray  # index into days
    visits: np.ndarray
    calls: np.ndarray
    leads: np.ndarray
    note: np.ndarray
    sub_day: np.ndarray  # datetime64[D] of submission
    sub_sec: np.ndarray  # seconds after midnight
    truth: dict[str, list] = field(default_factory=dict)


def _fmt_ts(d: date, sec: int) -> str:
    h, rest = divmod(int(sec), 3600)
    m, s = divmod(rest, 60)
    return f"{d.isoformat()} {h:02d}:{m:02d}:{s:02d}"


class _Occupancy:
    def __init__(self) -> None:
        self.events: dict[int, list[tuple[int, int, bool]]] = {}

    def free(self, rep: int, lo: int, hi: int, value: bool) -> bool:
        for a, b, v in self.events.get(rep, ()):
            gap = VALUE_GAP if (value and v) else ANY_GAP
            if lo <= b + gap and a <= hi + gap:
                return False
        return True

    def take(self, rep: int, lo: int, hi: int, value: bool) -> None:
        self.events.setdefault(rep, []).append((lo, hi, value))


def _smooth(values: np.ndarray, rep_idx, day_idx, first, last, nd: int, floor: int) -> np.ndarray:
    """Pull any value further than SMOOTH_Z trailing standard deviations (20 previous working days
    of the rep, population std floored at 1) back inside that band, so normal data never looks
    anomalous to a trailing-baseline detector."""
    m = np.zeros((len(first), nd), dtype=np.float64)
    m[rep_idx, day_idx] = values
    for j in range(BASELINE_DAYS, nd):
        sel = np.nonzero((j - first >= BASELINE_DAYS) & (j < last))[0]
        if not len(sel):
            continue
        w = m[sel, j - BASELINE_DAYS : j]
        mu, sd = w.mean(axis=1), np.maximum(w.std(axis=1), 1.0)
        lo = np.maximum(np.ceil(mu - SMOOTH_Z * sd), floor)
        hi = np.floor(mu + SMOOTH_Z * sd)
        m[sel, j] = np.clip(m[sel, j], lo, hi)
    return m[rep_idx, day_idx].astype(np.int64)


def counts_for(reps: int, months: int) -> dict[str, int]:
    s = reps * months / 600
    return {
        "late_daily": max(5, round(10 * s)),
        "missing_daily": max(5, round(8 * s)),
        "late_weekly": max(3, round(4 * s)),
        "missing_weekly": max(3, round(4 * s)),
        "streaks": max(2, math.floor(2.5 * s + 0.5)),
        "anomalies": max(4, round(6 * s)),
        "duplicates": max(2, round(2 * s)),
        "impossible": max(2, math.floor(2.5 * s + 0.5)),
    }


def build_daily(rng: np.random.Generator, rnd: random.Random, cal: Cal, org: Org, counts: dict) -> Daily:
    start, as_of = org.start, org.as_of
    days_py = cal.workdays(start, as_of)
    days = np.array(days_py, dtype="datetime64[D]")
    nd = len(days)
    weekday = np.array([d.weekday() for d in days_py])
    reps = org.reps
    first = np.array([np.searchsorted(days, np.datetime64(max(r.hire_date, start))) for r in reps])
    last = np.array(
        [np.searchsorted(days, np.datetime64(min(r.leave_date or as_of, as_of)), side="right") for r in reps]
    )
    n_per = np.maximum(last - first, 0)
    offset = np.concatenate([[0], np.cumsum(n_per)])
    total = int(offset[-1])
    rep_idx = np.repeat(np.arange(len(reps)), n_per)
    day_idx = np.arange(total) - np.repeat(offset[:-1], n_per) + np.repeat(first, n_per)
    wd = weekday[day_idx]
    vlev = np.array([r.visit_level for r in reps])[rep_idx]
    clev = np.array([r.call_level for r in reps])[rep_idx]
    llev = np.array([r.lead_level for r in reps])[rep_idx]
    base_v = vlev + VISIT_WEEKDAY[wd]
    base_c = clev + CALL_WEEKDAY[wd]
    visits = np.clip(base_v + rng.integers(-VISIT_NOISE, VISIT_NOISE + 1, total), 1, 20)
    calls = np.clip(base_c + rng.integers(-CALL_NOISE, CALL_NOISE + 1, total), 1, 200)
    visits = _smooth(visits, rep_idx, day_idx, first, last, nd, floor=1)
    calls = _smooth(calls, rep_idx, day_idx, first, last, nd, floor=1)
    leads = np.minimum(rng.poisson(llev), 8)
    note = rng.integers(0, len(N.DAILY_NOTES), total)
    sub_day = days[day_idx]
    sub_sec = 15 * 3600 + rng.integers(0, 7200, total)

    occ = _Occupancy()
    truth: dict[str, list] = {
        k: []
        for k in (
            "late_daily_reports",
            "missing_daily_reports",
            "zero_visit_streaks",
            "activity_anomalies",
            "duplicate_submissions",
            "impossible_values",
        )
    }
    as_of64 = np.datetime64(as_of)

    def pick(min_k: int, length: int, value: bool, tail: int = 1) -> tuple[int, int] | None:
        """A rep and a first local day so that days k..k+length-1 are all < as_of, with `tail`
        more of the rep's working days after them, not overlapping other events."""
        for _ in range(2000):
            r = rnd.randrange(len(reps))
            hi = int(n_per[r]) - length - tail
            if hi < min_k:
                continue
            k = rnd.randint(min_k, hi)
            g = int(first[r]) + k
            if days[g + length - 1] >= as_of64 or days[g + length - 1 + tail] > as_of64:
                continue
            if occ.free(r, g, g + length - 1, value):
                occ.take(r, g, g + length - 1, value)
                return r, k
        return None

    def row(r: int, k: int) -> int:
        return int(offset[r]) + k

    def rid(r: int) -> str:
        return reps[r].rep_id

    def dstr(r: int, k: int) -> str:
        return str(days[int(first[r]) + k])

    # zero-visit streaks
    for i in range(counts["streaks"]):
        length = 3 + (i % 2)
        got = pick(5, length, True, tail=2)
        if got is None:
            continue
        r, k = got
        for j in range(length):
            visits[row(r, k + j)] = 0
        truth["zero_visit_streaks"].append(
            {"rep_id": rid(r), "start_date": dstr(r, k), "end_date": dstr(r, k + length - 1), "days": length}
        )
    # activity anomalies (>= 25 working days of the rep's history in the files)
    kinds = (("visits", "spike"), ("calls", "drop"), ("calls", "spike"))
    anomaly_rows: list[tuple[int, str]] = []
    for i in range(counts["anomalies"]):
        metric, direction = kinds[i % len(kinds)]
        got = pick(25, 1, True)
        if got is None:
            continue
        r, k = got
        arr = visits if metric == "visits" else calls
        base = float(np.mean(arr[row(r, k - 20) : row(r, k)]))
        anomaly_rows.append((row(r, k), metric))
        if direction == "drop" and base < 15:
            direction = "spike"
        if direction == "drop":
            value = 0
        elif metric == "visits":
            value = int(min(48, max(21, math.ceil(4 * base) + rnd.randint(0, 4))))
        else:
            value = int(math.ceil(4 * base) + rnd.randint(0, 10))
        arr[row(r, k)] = value
        truth["activity_anomalies"].append(
            {
                "rep_id": rid(r),
                "date": dstr(r, k),
                "metric": metric,
                "direction": direction,
                "value": value,
                "baseline": round(base, 1),
            }
        )
    # impossible values
    for i in range(counts["impossible"]):
        got = pick(1, 1, True)
        if got is None:
            continue
        r, k = got
        if i % 2 == 0:
            value, rule = -rnd.randint(1, 5), "negative"
        else:
            value, rule = rnd.randint(120, 500), "above_max"
        visits[row(r, k)] = value
        truth["impossible_values"].append(
            {"rep_id": rid(r), "date": dstr(r, k), "metric": "visits", "value": value, "rule": rule}
        )
    # late reports (same evening, or the next working day morning, always before as_of)
    for i in range(counts["late_daily"]):
        got = pick(0, 1, False, tail=2)
        if got is None:
            continue
        r, k = got
        g = int(first[r]) + k
        x = row(r, k)
        if i % 3 == 2:
            sub_day[x] = days[g + 1]
            sub_sec[x] = 8 * 3600 + 1800 + rnd.randint(0, 3 * 3600)
        else:
            sub_sec[x] = 17 * 3600 + 300 + rnd.randint(0, 6 * 3600)
        truth["late_daily_reports"].append(
            {"rep_id": rid(r), "date": dstr(r, k), "submitted_at": _fmt_ts(sub_day[x].item(), sub_sec[x])}
        )
    # missing reports
    drop_rows: list[int] = []
    for _ in range(counts["missing_daily"]):
        got = pick(0, 1, False)
        if got is None:
            continue
        r, k = got
        drop_rows.append(row(r, k))
        truth["missing_daily_reports"].append({"rep_id": rid(r), "date": dstr(r, k)})
    # duplicate submissions: first 15:00-15:59, second 16:00-16:59, slightly different numbers
    dup_rows: list[int] = []
    for _ in range(counts["duplicates"]):
        got = pick(1, 1, True)
        if got is None:
            continue
        r, k = got
        x = row(r, k)
        sub_sec[x] = 15 * 3600 + rnd.randint(0, 3599)
        dup_rows.append(x)
    keep = np.ones(total, dtype=bool)
    keep[drop_rows] = False
    # the recorded baseline: mean of the rep's 20 previous reports that are really in the files
    for entry, (x, metric) in zip(truth["activity_anomalies"], anomaly_rows, strict=True):
        arr = visits if metric == "visits" else calls
        lo = int(offset[rep_idx[x]])
        prev = np.nonzero(keep[lo:x])[0][-20:] + lo
        entry["baseline"] = round(float(np.mean(arr[prev])), 1)
    base_rows = np.nonzero(keep)[0]
    dup = np.array(dup_rows, dtype=np.int64)
    extra = {
        "rep": rep_idx[dup],
        "day": day_idx[dup],
        # the second submission moves towards the rep's level, so it stays inside the normal band
        "visits": visits[dup] - np.where(visits[dup] == base_v[dup], -1, np.sign(visits[dup] - base_v[dup])),
        "calls": calls[dup] - 2 * np.where(calls[dup] == base_c[dup], -1, np.sign(calls[dup] - base_c[dup])),
        "leads": leads[dup],
        "note": (note[dup] + 1) % len(N.DAILY_NOTES),
        "sub_day": sub_day[dup],
        "sub_sec": 16 * 3600 + np.array([rnd.randint(0, 3599) for _ in dup_rows], dtype=np.int64),
    }
    for j, x in enumerate(dup_rows):
        r, d = int(rep_idx[x]), days[int(day_idx[x])].item()
        truth["duplicate_submissions"].append(
            {
                "rep_id": reps[r].rep_id,
                "date": d.isoformat(),
                "submitted_at": [_fmt_ts(d, sub_sec[x]), _fmt_ts(d, extra["sub_sec"][j])],
            }
        )

    def cat(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a[base_rows], b])

    out = Daily(
        days=days,
        rep=cat(rep_idx, extra["rep"]),
        day=cat(day_idx, extra["day"]),
        visits=cat(visits, extra["visits"]),
        calls=cat(calls, extra["calls"]),
        leads=cat(leads, extra["leads"]),
        note=cat(note, extra["note"]),
        sub_day=cat(sub_day, extra["sub_day"]),
        sub_sec=cat(sub_sec, extra["sub_sec"]),
        truth=truth,
    )
    order = np.lexsort((out.sub_sec, out.rep, out.day))
    for name in ("rep", "day", "visits", "calls", "leads", "note", "sub_day", "sub_sec"):
        setattr(out, name, getattr(out, name)[order])
    for key in truth:
        truth[key].sort(key=lambda e: (e.get("date") or e.get("start_date"), e["rep_id"]))
    return out


# ---------------------------------------------------------------------------------------------


def expected_weeks(cal: Cal, org: Org) -> list[tuple[date, list[date]]]:
    """ISO weeks with Monday >= window start whose deadline (next Monday 12:00) has passed by the
    end of as_of and that have at least one working day: (monday, working days of the week)."""
    out = []
    monday = org.start + timedelta(days=(7 - org.start.weekday()) % 7)
    while monday + timedelta(days=7) <= org.as_of:
        wds = cal.workdays(monday, monday + timedelta(days=6))
        if wds:
            out.append((monday, wds))
        monday += timedelta(days=7)
    return out


def build_weekly(rnd: random.Random, cal: Cal, org: Org, crm: Crm, counts: dict) -> tuple[list[dict], dict]:
    as_of = org.as_of
    weeks = expected_weeks(cal, org)
    sales: dict[tuple[str, date], int] = {}
    for o in crm.orders:
        if o.status == "signed":
            key = (o.owner_rep_id, o.signed_date - timedelta(days=o.signed_date.weekday()))
            sales[key] = sales.get(key, 0) + o.amount_cents
    names_by_rep: dict[str, list[tuple[datetime, str]]] = {}
    for c in crm.customers:
        names_by_rep.setdefault(c.owner_rep_id, []).append((c.created_at, c.name))
    expected: list[tuple[int, date, list[date]]] = []
    for r, rep in enumerate(org.reps):
        for monday, wds in weeks:
            if any(rep.active_on(d) for d in wds):
                expected.append((r, monday, wds))
    # planted: late (after Monday 12:00, submitted before as_of) and missing
    plantable = [
        i
        for i, (r, monday, wds) in enumerate(expected)
        if monday + timedelta(days=9) <= as_of
        and org.reps[r].active_on(wds[0])
        and (org.reps[r].leave_date is None or org.reps[r].leave_date > wds[-1])
    ]
    chosen = rnd.sample(plantable, min(len(plantable), counts["late_weekly"] + counts["missing_weekly"]))
    late = set(chosen[: counts["late_weekly"]])
    missing = set(chosen[counts["late_weekly"] :])
    truth = {"late_weekly_reports": [], "missing_weekly_reports": []}
    rows: list[dict] = []
    cats = tuple(N.OBSTACLES)
    for i, (r, monday, wds) in enumerate(expected):
        rep = org.reps[r]
        if i in missing:
            truth["missing_weekly_reports"].append({"rep_id": rep.rep_id, "week_start": monday.isoformat()})
            continue
        friday = monday + timedelta(days=4)
        next_monday = monday + timedelta(days=7)
        if i in late:
            if rnd.random() < 0.5:
                sub = datetime.combine(next_monday, time(12, 30)) + timedelta(
                    seconds=rnd.randint(0, 5 * 3600)
                )
            else:
                sub = datetime.combine(next_monday + timedelta(days=1), time(9)) + timedelta(
                    seconds=rnd.randint(0, 8 * 3600)
                )
            truth["late_weekly_reports"].append(
                {
                    "rep_id": rep.rep_id,
                    "week_start": monday.isoformat(),
                    "submitted_at": sub.isoformat(sep=" "),
                }
            )
        elif rep.leave_date is not None and rep.leave_date <= wds[-1]:
            sub = datetime.combine(rep.leave_date, time(15)) + timedelta(seconds=rnd.randint(0, 7199))
        else:
            u = rnd.random()
            if u < 0.7:
                sub = datetime.combine(friday, time(15)) + timedelta(seconds=rnd.randint(0, 4 * 3600 - 1))
            elif u < 0.8:
                sub = datetime.combine(friday + timedelta(days=rnd.randint(1, 2)), time(10)) + timedelta(
                    seconds=rnd.randint(0, 10 * 3600)
                )
            else:
                sub = datetime.combine(next_monday, time(8)) + timedelta(seconds=rnd.randint(0, 3 * 3600 - 1))
        cands = [n for t, n in names_by_rep.get(rep.rep_id, ()) if t.date() <= wds[-1]]
        customer = rnd.choice(cands[-8:]) if cands else "潜在客户"
        cat = rnd.choice(cats)
        rows.append(
            {
                "rep_id": rep.rep_id,
                "rep_name": rep.name,
                "week_start": monday,
                "submitted_at": sub,
                "weekly_sales": sales.get((rep.rep_id, monday), 0) // 100 // 100 * 100,
                "key_customer_progress": rnd.choice(N.PROGRESS).format(c=customer),
                "obstacle_category": cat,
                "obstacle_text": rnd.choice(N.OBSTACLES[cat]),
                "support_needed": rnd.choice(N.SUPPORT),
            }
        )
    rows.sort(key=lambda x: (x["week_start"], x["submitted_at"], x["rep_id"]))
    for key in truth:
        truth[key].sort(key=lambda e: (e["week_start"], e["rep_id"]))
    return rows, truth
