"""The data-quality marts against the demo generator's ground truth, at two seeds.

Each seed: generate an organisation, ingest it, write the work calendar, build the dbt project
into a temporary DuckDB with the as-of date, then compare marts.dq_submissions and
marts.dq_anomalies with ground_truth.json. Deterministic rules must find every planted event
and nothing else; statistical rules print their precision and recall.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_support import build_generated_org, dbt_build

pytestmark = pytest.mark.xdist_group("quality")

# (seed, as_of, months): two organisations, different seeds, windows and holidays.
DEMOS = {
    "seed7": (7, date(2026, 6, 30), 15),
    "seed11": (11, date(2026, 3, 25), 6),
}
STATISTICAL_KINDS = ("activity_spike", "activity_drop", "team_volume_drop")


def _dbt(tmp: Path, warehouse: Path, as_of: date, *args: str) -> None:
    dbt_build(tmp, warehouse, {"as_of_date": as_of.isoformat()}, args)


def build_demo(tmp: Path, seed: int, as_of: date, months: int) -> tuple[Path, dict]:
    """Generate, ingest and build one demo organisation; returns (warehouse, ground truth)."""
    # Every model the quality marts need, then the quality models' own tests.
    warehouse = build_generated_org(
        tmp,
        seed=seed,
        as_of=as_of,
        reps=40,
        months=months,
        dbt_args=("run", "--select", "+path:models/quality"),
    )
    _dbt(tmp, warehouse, as_of, "test", "--select", "path:models/quality")
    truth = json.loads((tmp / "home" / "ground_truth.json").read_text(encoding="utf-8"))
    return warehouse, truth


@pytest.fixture(scope="session")
def demo_builds(tmp_path_factory):
    """Built lazily, once per session: {name: (warehouse, truth)}."""
    built: dict[str, tuple[Path, dict]] = {}

    def get(name: str) -> tuple[Path, dict]:
        if name not in built:
            built[name] = build_demo(tmp_path_factory.mktemp(name), *DEMOS[name])
        return built[name]

    return get


@pytest.fixture(params=sorted(DEMOS))
def demo(request, demo_builds):
    warehouse, truth = demo_builds(request.param)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        yield request.param, con, truth


def _rows(con: duckdb.DuckDBPyConnection, sql: str, *params) -> set[tuple]:
    return {
        tuple(str(v) if isinstance(v, date) else v for v in row)
        for row in con.execute(sql, list(params)).fetchall()
    }


def _submissions(con, report_type: str, status: str) -> set[tuple]:
    return _rows(
        con,
        "select rep_id, period_start from marts.dq_submissions where report_type = ? and status = ?",
        report_type,
        status,
    )


def _anomalies(con, kind: str, columns: str) -> set[tuple]:
    return _rows(con, f"select {columns} from marts.dq_anomalies where kind = ?", kind)


def precision_recall(truth: set, found: set) -> tuple[float, float]:
    hits = len(truth & found)
    return (hits / len(found) if found else 1.0, hits / len(truth) if truth else 1.0)


def _report(name: str, rule: str, truth: set, found: set) -> tuple[float, float]:
    precision, recall = precision_recall(truth, found)
    print(
        f"[{name}] {rule}: planted={len(truth)} flagged={len(found)} "
        f"precision={precision:.3f} recall={recall:.3f}"
    )
    return precision, recall


def test_deterministic_rules_find_every_planted_event_and_nothing_else(demo):
    name, con, truth = demo
    expected = {
        "late daily": (
            {(e["rep_id"], e["date"]) for e in truth["late_daily_reports"]},
            _submissions(con, "daily", "late"),
        ),
        "missing daily": (
            {(e["rep_id"], e["date"]) for e in truth["missing_daily_reports"]},
            _submissions(con, "daily", "missing"),
        ),
        "late weekly": (
            {(e["rep_id"], e["week_start"]) for e in truth["late_weekly_reports"]},
            _submissions(con, "weekly", "late"),
        ),
        "missing weekly": (
            {(e["rep_id"], e["week_start"]) for e in truth["missing_weekly_reports"]},
            _submissions(con, "weekly", "missing"),
        ),
        "zero-visit streaks": (
            {(e["rep_id"], e["start_date"], e["end_date"]) for e in truth["zero_visit_streaks"]},
            _anomalies(con, "zero_visit_streak", "rep_id, start_date, end_date"),
        ),
        "duplicate submissions": (
            {(e["rep_id"], e["date"]) for e in truth["duplicate_submissions"]},
            _anomalies(con, "duplicate_submission", "rep_id, start_date"),
        ),
        "impossible values": (
            {(e["rep_id"], e["date"], e["metric"], float(e["value"])) for e in truth["impossible_values"]},
            _anomalies(con, "impossible_value", "rep_id, start_date, metric, measured_value"),
        ),
        "unknown reps": (
            {(e["order_id"], e["rep_id"]) for e in truth["unknown_rep_orders"]},
            _anomalies(con, "unknown_rep", "entity_id, rep_id"),
        ),
        "overpayments": (
            {(e["receivable_id"], e["date"]) for e in truth["overpaid_receivables"]},
            _anomalies(con, "payment_exceeds_receivable", "entity_id, start_date"),
        ),
    }
    for rule, (planted, flagged) in expected.items():
        assert planted, f"{name}: the generator planted no {rule}"
        assert _report(name, rule, planted, flagged) == (1.0, 1.0), (rule, planted ^ flagged)

    # Nothing else: every data-quality finding outside the statistical rules is one of the above.
    kinds = dict(
        con.execute(
            "select kind, count(*) from marts.dq_anomalies "
            "where category = 'data_quality' and not list_contains(?, kind) group by kind",
            [list(STATISTICAL_KINDS)],
        ).fetchall()
    )
    assert kinds == {
        "zero_visit_streak": len(truth["zero_visit_streaks"]),
        "duplicate_submission": len(truth["duplicate_submissions"]),
        "impossible_value": len(truth["impossible_values"]),
        "unknown_rep": len(truth["unknown_rep_orders"]),
        "payment_exceeds_receivable": len(truth["overpaid_receivables"]),
    }


def test_late_reports_keep_their_submission_time_and_minutes_late(demo):
    _, con, truth = demo
    late = {
        (rep, str(day)): (str(submitted), minutes)
        for rep, day, submitted, minutes in con.execute(
            "select rep_id, period_start, submitted_at, minutes_late from marts.dq_submissions "
            "where report_type = 'daily' and status = 'late'"
        ).fetchall()
    }
    for event in truth["late_daily_reports"]:
        submitted, minutes = late[(event["rep_id"], event["date"])]
        assert submitted == event["submitted_at"]
        assert minutes > 0
    # A negative-visit report was rejected at ingest but submitted: not missing.
    negatives = [(e["rep_id"], e["date"]) for e in truth["impossible_values"] if e["rule"] == "negative"]
    for rep, day in negatives:
        status, rejected = con.execute(
            "select status, is_rejected from marts.dq_submissions "
            "where report_type = 'daily' and rep_id = ? and period_start = ?",
            [rep, day],
        ).fetchone()
        assert (status, rejected) == ("on_time", True)


def test_statistical_rules_precision_and_recall(demo):
    name, con, truth = demo
    planted = {(e["rep_id"], e["date"], e["metric"], e["direction"]) for e in truth["activity_anomalies"]}
    flagged = _rows(
        con,
        "select rep_id, start_date, metric, replace(kind, 'activity_', '') from marts.dq_anomalies "
        "where kind in ('activity_spike', 'activity_drop')",
    )
    precision, recall = _report(name, "activity anomalies (|z| >= 3, weekday-aware)", planted, flagged)
    team_drops = con.execute(
        "select count(*) from marts.dq_anomalies where kind = 'team_volume_drop'"
    ).fetchone()[0]
    print(f"[{name}] team volume drops: planted=0 flagged={team_drops}")
    # Measured, not a contract: keep them from regressing badly.
    assert recall >= 0.8 and precision >= 0.8


def test_every_expected_report_has_one_row_with_its_deadline(demo):
    _, con, _ = demo
    bad = con.execute(
        """
        select count(*) from marts.dq_submissions
        where (report_type = 'daily' and due_at <> period_start + time '17:00')
           or (report_type = 'weekly' and (isodow(period_start) <> 1
               or due_at <> cast(period_start + interval 7 day as date) + time '12:00'))
           or (status = 'on_time' and minutes_late <> 0)
           or (status = 'missing' and submitted_at is not null)
        """
    ).fetchone()[0]
    assert bad == 0
    # Only roster role `rep` owes reports, and never on a holiday.
    roles = con.execute(
        "select distinct r.role from marts.dq_submissions s join marts.dim_reps r using (rep_id)"
    ).fetchall()
    assert roles == [("rep",)]
    holidays = con.execute(
        "select count(*) from marts.dq_submissions s join marts.dim_dates d on s.period_start = d.date_day "
        "where s.report_type = 'daily' and not d.is_workday"
    ).fetchone()[0]
    assert holidays == 0


def test_dagster_checks_and_digest_list_the_reps_concerned(demo_builds, home):
    import dagster as dg

    from pipelines.defs.quality.assets import dq_check_digest
    from pipelines.defs.quality.checks import (
        ANOMALIES_KEY,
        GX_MARTS,
        SUBMISSIONS_KEY,
        dq_mart_expectations,
        dq_rule_checks,
    )
    from pipelines.defs.resources import WarehouseResource

    warehouse, truth = demo_builds("seed7")
    upstream = [dg.AssetSpec(key) for key in {SUBMISSIONS_KEY, ANOMALIES_KEY, *GX_MARTS.values()}]
    result = dg.materialize(
        [*upstream, dq_rule_checks, dq_mart_expectations, dq_check_digest],
        resources={"warehouse": WarehouseResource(path=str(warehouse)), "settings": home},
        selection=dg.AssetSelection.checks(dq_rule_checks, dq_mart_expectations)
        | dg.AssetSelection.assets(dq_check_digest),
    )
    assert result.success
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    late = checks["late_reports"]
    assert not late.passed and late.severity == dg.AssetCheckSeverity.WARN
    assert late.metadata["reps_concerned"].value == sorted(
        {e["rep_id"] for e in truth["late_daily_reports"]}
        | {e["rep_id"] for e in truth["late_weekly_reports"]}
    )
    unknown = checks["unknown_references"]
    assert not unknown.passed and unknown.severity == dg.AssetCheckSeverity.ERROR
    assert unknown.metadata["reps_concerned"].value == sorted(
        {e["rep_id"] for e in truth["unknown_rep_orders"]}
    )
    streaks = checks["zero_visit_streaks"]
    assert "| rep | team | findings |" in streaks.metadata["by_rep"].value
    assert not checks["overpayments"].passed and not checks["impossible_values"].passed
    assert {
        e.check_name for e in result.get_asset_check_evaluations() if e.check_name == "great_expectations"
    }

    (digest,) = [
        event.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.asset_key == dq_check_digest.key
    ]
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert digest["failed_checks"].value == len(failed)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select check_name, severity, reps_concerned from marts.dq_check_digest where status = 'failed'"
        ).fetchall()
    assert {name for name, _, _ in rows} == failed
    by_name = {name: (severity, reps) for name, severity, reps in rows}
    assert by_name["unknown_references"] == ("ERROR", ["R999"])


def test_digest_evaluates_checks_of_its_run_that_have_not_run_yet(demo_builds, home):
    """Checks and the digest are siblings downstream of dbt: if the digest runs first, it
    evaluates this run's planned rule checks itself instead of reporting an older run."""
    from types import SimpleNamespace

    from pipelines.defs.quality.assets import RULE_CHECK_KEYS, collect_failed_checks

    warehouse, truth = demo_builds("seed7")
    planned = {
        key: SimpleNamespace(run_id="this-run", status=SimpleNamespace(value="PLANNED"), event=None)
        for key in RULE_CHECK_KEYS
    }
    context = SimpleNamespace(
        run_id="this-run",
        job_def=SimpleNamespace(
            asset_layer=SimpleNamespace(asset_graph=SimpleNamespace(asset_check_keys=set(RULE_CHECK_KEYS)))
        ),
        instance=SimpleNamespace(
            event_log_storage=SimpleNamespace(get_latest_asset_check_execution_by_key=lambda keys: planned)
        ),
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = collect_failed_checks(context, con, home.tz)
    by_name = {row["check_name"]: row for row in rows}
    assert by_name["overpayments"]["severity"] == "ERROR"
    assert by_name["overpayments"]["check_run_id"] == "this-run"
    assert by_name["missing_reports"]["findings"] == len(truth["missing_daily_reports"]) + len(
        truth["missing_weekly_reports"]
    )
