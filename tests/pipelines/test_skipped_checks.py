"""A check with nothing to look at is skipped with the reason, never reported as passed."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from salespulse.quality import rules

EMPTY_MARTS = """
create schema marts;
create table marts.dq_submissions (
    expected_report_id varchar, report_type varchar, rep_id varchar, team_id varchar, status varchar,
    period_label varchar, minutes_late bigint, period_start date, period_end date
);
create table marts.dq_anomalies (
    anomaly_id varchar, kind varchar, rep_id varchar, team_id varchar, detail varchar,
    start_date date, end_date date
);
create table marts.dim_reps (rep_id varchar, rep_name varchar, is_current boolean);
create table marts.fct_daily_reports (rep_id varchar, visits bigint);
create table marts.fct_weekly_reports (rep_id varchar);
create table marts.fct_orders (order_id varchar);
create table marts.fct_payments (payment_id varchar);
create table marts.kpi_rep_monthly (rep_id varchar, completion_rate double, sales_amount decimal(18, 2));
create table marts.kpi_team_monthly (team_id varchar, completion_rate double, sales_amount decimal(18, 2));
"""


@pytest.fixture
def empty_warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute(EMPTY_MARTS)
    return path


def test_a_rule_over_no_rows_is_skipped_with_what_was_empty(empty_warehouse):
    with duckdb.connect(str(empty_warehouse)) as con:
        outcomes = {rule.name: rules.evaluate(con, rule) for rule in rules.RULES}
        assert all(outcome.skipped for outcome in outcomes.values())
        assert outcomes["late_reports"].skipped_reason == (
            "nothing to check: 0 expected reports (marts.dq_submissions)"
        )
        assert "0 payments (marts.fct_payments)" in outcomes["overpayments"].skipped_reason
        con.execute("insert into marts.dq_submissions (rep_id, status) values ('R1', 'on_time')")
        late = rules.evaluate(con, rules.RULES[0])
        assert not late.skipped and late.passed, "rows checked and nothing found: passed"


@pytest.mark.xdist_group("dagster")
def test_skipped_checks_yield_no_result_and_the_digest_says_why(empty_warehouse, home):
    from pipelines.defs.quality.assets import dq_check_digest
    from pipelines.defs.quality.checks import (
        ANOMALIES_KEY,
        GX_MARTS,
        SUBMISSIONS_KEY,
        dq_mart_expectations,
        dq_rule_checks,
    )
    from pipelines.defs.resources import WarehouseResource

    upstream = [dg.AssetSpec(key) for key in {SUBMISSIONS_KEY, ANOMALIES_KEY, *GX_MARTS.values()}]
    result = dg.materialize(
        [*upstream, dq_rule_checks, dq_mart_expectations, dq_check_digest],
        resources={"warehouse": WarehouseResource(path=str(empty_warehouse)), "settings": home},
        selection=dg.AssetSelection.checks(dq_rule_checks, dq_mart_expectations)
        | dg.AssetSelection.assets(dq_check_digest),
    )
    assert result.success
    assert result.get_asset_check_evaluations() == [], "no check passed over 0 rows"
    (metadata,) = [
        event.materialization.metadata
        for event in result.get_asset_materialization_events()
        if event.asset_key == dq_check_digest.key
    ]
    assert metadata["failed_checks"].value == 0
    assert metadata["skipped_checks"].value == len(rules.RULES) + len(GX_MARTS)
    assert "nothing to check" in metadata["digest"].value
    with duckdb.connect(str(empty_warehouse), read_only=True) as con:
        rows = dict(
            con.execute(
                "select check_name || '@' || asset_key, reason from marts.dq_check_digest "
                "where status = 'skipped'"
            ).fetchall()
        )
    assert (
        rows["late_reports@marts/dq_submissions"]
        == "nothing to check: 0 expected reports (marts.dq_submissions)"
    )
    assert (
        rows["great_expectations@marts/kpi_rep_monthly"]
        == "nothing to check: marts.kpi_rep_monthly has 0 rows"
    )
