"""A run that evaluates some rule checks records only their findings as seen: the findings of
the rules it did not run stay news for the run that does (they are not confirmed unreported)."""

from __future__ import annotations

import dagster as dg
import duckdb
import pandas as pd

from pipelines.defs.quality import checks
from salespulse.quality import rules
from salespulse.quality.seen import confirm_findings


def _findings(finding_id: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "finding_id": [finding_id],
            "rep_id": ["R1"],
            "rep_name": ["张三"],
            "team_id": ["T1"],
            "kind": ["x"],
            "start_date": [pd.Timestamp("2026-11-02")],
            "end_date": [pd.Timestamp("2026-11-02")],
            "detail": ["x"],
        }
    )


def test_a_subset_run_sees_only_the_rules_it_evaluates(tmp_path, monkeypatch):
    first, second = rules.RULES[0], rules.RULES[1]
    monkeypatch.setattr(
        rules, "evaluate", lambda con, rule: rules.CheckOutcome(rule, _findings(f"{rule.name}-1"), ["R1"])
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    only = {dg.AssetCheckKey(checks.rule_asset_key(first), first.name)}
    results = list(checks.evaluate_rules(con, "run-1", only=only))
    assert [r.check_name for r in results] == [first.name]
    assert not results[0].passed
    confirm_findings(con, "run-1")  # run-1 published
    later = {r.check_name: r for r in checks.evaluate_rules(con, "run-2")}
    assert later[first.name].passed, "reported by run-1"
    assert not later[second.name].passed, "never evaluated before: still news"
