"""Checks that alert on news: a finding fails its check in the run that first sees it, and is
alerted once; the history stays in the marts."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipelines.defs.operations.sensors import fingerprints
from pipelines.defs.quality.checks import rule_result
from salespulse.alerts import alerted_before, record_alerted
from salespulse.quality import rules
from salespulse.quality.seen import confirm_findings, new_findings


def _frame(*ids: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "finding_id": list(ids),
            "rep_id": ["R1"] * len(ids),
            "rep_name": ["张三"] * len(ids),
            "team_id": ["T1"] * len(ids),
            "kind": ["unknown_rep"] * len(ids),
            "start_date": [pd.Timestamp("2026-11-02")] * len(ids),
            "end_date": [pd.Timestamp("2026-11-02")] * len(ids),
            "detail": ["x"] * len(ids),
        }
    )


def test_a_finding_is_news_once_and_the_same_run_agrees_with_itself(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    first = new_findings(con, "unknown_references", _frame("a", "b"), "run-1")
    assert sorted(first["finding_id"]) == ["a", "b"]
    # The digest evaluating the same run again sees the same news.
    assert sorted(new_findings(con, "unknown_references", _frame("a", "b"), "run-1")["finding_id"]) == [
        "a",
        "b",
    ]
    assert confirm_findings(con, "run-1") == 2  # run-1 published analytics.duckdb
    # The next run: the old findings are history, only "c" is news.
    second = new_findings(con, "unknown_references", _frame("a", "b", "c"), "run-2")
    assert list(second["finding_id"]) == ["c"]
    confirm_findings(con, "run-2")
    assert new_findings(con, "unknown_references", _frame("a", "b", "c"), "run-3").empty
    # The same id under another check is that check's news.
    assert list(new_findings(con, "impossible_values", _frame("a"), "run-3")["finding_id"]) == ["a"]


def test_what_a_run_that_died_before_publishing_saw_is_news_again(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    new_findings(con, "unknown_references", _frame("a"), "run-1")
    confirm_findings(con, "run-1")
    # run-2 sees "b", then dies before analytics.duckdb is published: nobody was told.
    assert list(new_findings(con, "unknown_references", _frame("a", "b"), "run-2")["finding_id"]) == ["b"]
    # run-3 reports it (and run-2's row is gone); once run-3 has published, it is history.
    assert list(new_findings(con, "unknown_references", _frame("a", "b"), "run-3")["finding_id"]) == ["b"]
    assert con.execute(
        "select count(*) from dq_state.findings_seen where first_seen_run_id = 'run-2'"
    ).fetchone() == (0,)
    confirm_findings(con, "run-3")
    assert new_findings(con, "unknown_references", _frame("a", "b"), "run-4").empty


def test_findings_seen_before_confirmation_existed_count_as_reported(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(
        "create schema dq_state; create table dq_state.findings_seen (check_name varchar not null,"
        " finding_id varchar not null, first_seen_run_id varchar not null, first_seen_at timestamp not null,"
        " primary key (check_name, finding_id));"
        " insert into dq_state.findings_seen values ('unknown_references', 'a', 'old', now())"
    )
    assert list(new_findings(con, "unknown_references", _frame("a", "b"), "run-9")["finding_id"]) == ["b"]


def test_a_check_passes_when_it_has_no_news_and_names_reps_by_name_and_id():
    rule = next(r for r in rules.RULES if r.name == "unknown_references")
    outcome = rules.CheckOutcome(rule, _frame("a", "b"), ["R1"], ["T1"])
    assert rule_result(outcome, _frame()[0:0]).passed
    failed = rule_result(outcome, _frame("b"))
    assert not failed.passed
    assert failed.metadata["new_findings"].value == 1 and failed.metadata["findings"].value == 2
    assert failed.metadata["reps_named"].value == ["张三 (R1)"]
    assert "张三 (R1)" in failed.metadata["by_rep"].value


def test_an_alert_goes_out_once_per_finding(tmp_path):
    check = {"asset": "marts/dq_anomalies", "check": "unknown_references", "finding_ids": ["a", "b"]}
    prints = fingerprints(check)
    assert prints == ["marts/dq_anomalies:unknown_references:a", "marts/dq_anomalies:unknown_references:b"]
    assert alerted_before(tmp_path) == set()
    record_alerted(tmp_path, prints, "run-1")
    assert alerted_before(tmp_path) == set(prints)
    dbt_test = {"asset": "marts/fct_orders", "check": "not_null_amount", "failed_rows": 3}
    assert fingerprints(dbt_test) == ["marts/fct_orders:not_null_amount:rows=3"]
