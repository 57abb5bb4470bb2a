"""Demo-data generator: a seeded Chinese B2B sales organisation and its export files.

`generate_org(out, seed=7, as_of=date(2026, 6, 30))` writes `out/landing/<kind>/<file>` in the
formats real tools export (Chinese/English headers, GBK/UTF-8/BOM CSV, XLSX) plus
`out/ground_truth.json`, the exact list of every planted deviation, and
`out/generator_facts.json` (window, team mover, adjustments: facts useful to tests).
Output is byte-for-byte reproducible for a given (seed, as_of, reps, months).
"""

from __future__ import annotations

import gc
import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from salespulse.generate.activity import build_daily, build_weekly, counts_for
from salespulse.generate.exports import (
    CLOSED_VISIBLE_DAYS,
    Writer,
    write_actions,
    write_crm,
    write_daily,
    write_roster,
    write_targets,
    write_weekly,
)
from salespulse.generate.org import (
    COMPANY_ENTITY,
    Cal,
    build_actions,
    build_org,
    build_targets,
    month_start,
    simulate_crm,
)
from salespulse.generate.other_crm import write_other_crm

__all__ = ["generate_org", "window_start"]

TRUTH_KEYS = (
    "late_daily_reports",
    "missing_daily_reports",
    "late_weekly_reports",
    "missing_weekly_reports",
    "zero_visit_streaks",
    "activity_anomalies",
    "duplicate_submissions",
    "impossible_values",
    "unknown_rep_orders",
    "overpaid_receivables",
    "malformed_files",
)


def window_start(as_of: date, months: int) -> date:
    """First day of the month `months - 1` months before as_of's month."""
    return month_start(as_of, -(months - 1))


STYLES = ("standard", "other-crm")


def generate_org(
    out: Path, *, seed: int = 7, as_of: date, reps: int = 40, months: int = 15, style: str = "standard"
) -> dict:
    """Generate the demo organisation's landing files and ground truth under `out`.

    `style` is how the files are exported: `standard` (what the shipped contracts read) or
    `other-crm` (the same organisation as another CRM exports it, read with the overrides in
    `models/examples/other-crm/`). Returns a summary: files and rows per kind, the ground-truth
    path, counts of planted events. `out/landing` is replaced if it exists.
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    # Millions of small objects live through the run; the cyclic GC rescanning them costs more
    # than the whole simulation at 2,000 reps (nothing here creates garbage cycles to speak of).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(Path(out), seed=seed, as_of=as_of, reps=reps, months=months, style=style)
    finally:
        if gc_was_enabled:
            gc.enable()


def _generate(out: Path, *, seed: int, as_of: date, reps: int, months: int, style: str) -> dict:
    if reps < 4:
        raise ValueError("reps must be at least 4")
    if months < 1:
        raise ValueError("months must be at least 1")
    start = window_start(as_of, months)
    landing = out / "landing"
    if landing.exists():
        shutil.rmtree(landing)
    landing.mkdir(parents=True)

    streams = np.random.SeedSequence(seed).spawn(8)

    def py(i: int) -> random.Random:
        return random.Random(int(streams[i].generate_state(1)[0]))

    cal = Cal(start - timedelta(days=3000), as_of + timedelta(days=900))
    org = build_org(py(0), cal, start, as_of, reps)
    crm = simulate_crm(py(1), cal, org)
    targets, adjustments = build_targets(py(2), cal, org)
    actions = build_actions(py(3), cal, org)
    counts = counts_for(reps, months)
    daily = build_daily(np.random.default_rng(streams[4]), py(5), cal, org, counts)
    weekly_rows, weekly_truth = build_weekly(py(6), cal, org, crm, counts)

    writer = Writer(out, as_of)
    n_months = (as_of.year * 12 + as_of.month) - (start.year * 12 + start.month) + 1
    migration = month_start(start, (n_months + 1) // 2) if n_months >= 2 else as_of + timedelta(days=1)
    if style == "other-crm":
        write_other_crm(writer, org, crm, targets, adjustments, actions, daily, weekly_rows)
        crm_truth: dict = {}
    else:
        write_daily(writer, org, daily)
        write_weekly(writer, weekly_rows)
        write_roster(writer, org)
        write_targets(writer, targets, adjustments, as_of)
        write_actions(writer, actions, as_of)
        crm_truth = write_crm(writer, cal, org, crm, migration)

    truth: dict = {
        "as_of": as_of.isoformat(),
        "seed": seed,
        "style": style,
        "timezone": "Asia/Shanghai",
        "daily_deadline": "17:00",
        "weekly_deadline": "Monday 12:00",
    }
    planted = {
        **daily.truth,
        **weekly_truth,
        "unknown_rep_orders": crm.unknown_rep_orders,
        "overpaid_receivables": crm.overpaid,
        **crm_truth,
    }
    for key in TRUTH_KEYS:
        truth[key] = planted.get(key, [])
    truth_path = out / "ground_truth.json"
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")

    approved = [a for a in adjustments if a["status"] == "approved"]
    facts = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "window_start": start.isoformat(),
        "window_end": as_of.isoformat(),
        "reps": reps,
        "months": months,
        "people": len(org.people),
        "teams": [t.team_id for t in org.teams],
        "company_entity_id": COMPANY_ENTITY,
        "expected_report_roles": ["rep"],
        "crm_migration_date": migration.isoformat(),
        "opportunity_closed_visible_days": CLOSED_VISIBLE_DAYS,
        "team_mover": (
            {
                "rep_id": org.mover.rep_id,
                "from_team": org.mover.team.team_id,
                "to_team": org.mover.move[1].team_id,
                "effective_from": org.mover.move[0].isoformat(),
            }
            if org.mover and org.mover.move and org.mover.team
            else None
        ),
        "new_hires": [
            {"rep_id": r.rep_id, "hire_date": r.hire_date.isoformat()}
            for r in org.reps
            if r.hire_date >= start
        ],
        "leavers": [
            {"rep_id": r.rep_id, "leave_date": r.leave_date.isoformat()} for r in org.reps if r.leave_date
        ],
        "target_adjustments": [
            {k: (v.isoformat(sep=" ") if hasattr(v, "isoformat") else v) for k, v in a.items()}
            for a in adjustments
        ],
        "approved_adjustment_id": approved[0]["adjustment_id"] if approved else None,
    }
    facts_path = out / "generator_facts.json"
    facts_path.write_text(json.dumps(facts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return {
        "out": str(out),
        "ground_truth": str(truth_path),
        "facts": str(facts_path),
        "window_start": start.isoformat(),
        "as_of": as_of.isoformat(),
        "files": dict(sorted(writer.files.items())),
        "rows": dict(sorted(writer.rows.items())),
        "planted": {key: len(truth[key]) for key in TRUTH_KEYS},
    }
