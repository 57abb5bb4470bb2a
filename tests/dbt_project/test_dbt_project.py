"""The dbt project built end to end on a small hand-made raw schema.

Expected values are worked out by hand from the rows below, not read back from the SQL.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_support import ROOT, dbt_build, insert_rows

from salespulse.calendar import WorkCalendar
from salespulse.contracts import load_contracts
from salespulse.ingest.schema import create_raw_schema

AS_OF = "2026-03-25"


def _insert(con: duckdb.DuckDBPyConnection, kind: str, file_id: int, rows: list[dict]) -> None:
    insert_rows(con, kind, file_id, rows, datetime(2026, 3, 25, 8, 0))


def _roster(rep_id, name, team_id, region, role, effective_from, supervisor_id=None, leave_date=None):
    return {
        "rep_id": rep_id,
        "name": name,
        "team_id": team_id,
        "team_name": {"T1": "华东一组", "T2": "华北一组"}[team_id],
        "region": region,
        "role": role,
        "supervisor_id": supervisor_id,
        "hire_date": date(2025, 1, 6),
        "leave_date": leave_date,
        "effective_from": effective_from,
    }


def _order(order_id, rep_id, customer_id, amount, signed_date, status="signed"):
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "owner_rep_id": rep_id,
        "product_line": "saas",
        "amount": Decimal(amount),
        "signed_date": signed_date,
        "status": status,
    }


def _daily(rep_id, report_date, submitted_at, visits):
    return {
        "rep_id": rep_id,
        "report_date": report_date,
        "submitted_at": submitted_at,
        "visits": visits,
        "calls": 10,
        "new_leads": 1,
    }


def _adjustment(adjustment_id, entity_id, new_value, status, approved_at):
    return {
        "adjustment_id": adjustment_id,
        "level": "rep",
        "entity_id": entity_id,
        "period": "2026-03",
        "metric": "sales_amount",
        "new_value": Decimal(new_value),
        "status": status,
        "approved_at": approved_at,
    }


def _snapshot(snapshot_date, stage, status="open", closed_at=None):
    return {
        "snapshot_date": snapshot_date,
        "opportunity_id": "OP1",
        "customer_id": "C1",
        "owner_rep_id": "R1",
        "product_line": "saas",
        "stage": stage,
        "amount": Decimal("5000"),
        "created_at": datetime(2026, 3, 1, 9, 0),
        "status": status,
        "closed_at": closed_at,
    }


def _load_raw(con: duckdb.DuckDBPyConnection) -> None:
    create_raw_schema(con, load_contracts(ROOT / "models"))
    con.executemany(
        "insert into raw.work_calendar values (?, ?, ?)",
        WorkCalendar().days(date(2026, 1, 1), date(2026, 12, 31)),
    )
    _insert(
        con,
        "roster",
        1,
        [
            _roster("S1", "陈主管", "T1", "east", "supervisor", date(2025, 1, 6)),
            _roster("R1", "张三", "T1", "east", "rep", date(2025, 1, 6), "S1"),
            _roster("R2", "李四", "T1", "east", "rep", date(2025, 1, 6), "S1"),
            # R2 moves to T2 in the middle of March.
            _roster("R2", "李四", "T2", "north", "rep", date(2026, 3, 16), "S2", date(2026, 12, 31)),
            _roster("S2", "王主管", "T2", "north", "supervisor", date(2025, 1, 6)),
        ],
    )
    _insert(
        con,
        "customers",
        2,
        [
            {
                "customer_id": customer_id,
                "name": f"客户{customer_id}",
                "source": "referral",
                "created_at": datetime(2026, 3, 2, 10, 0),
                "owner_rep_id": "R1",
            }
            for customer_id in ("C1", "C2", "C3")
        ],
    )
    _insert(
        con,
        "orders",
        10,
        [
            _order("O1", "R1", "C1", "1000.00", date(2026, 3, 5)),
            _order("O2", "R1", "C2", "500.00", date(2026, 3, 10), status="cancelled"),
            _order("O3", "R2", "C1", "2000.00", date(2026, 3, 12)),
        ],
    )
    _insert(
        con,
        "orders",
        11,
        [
            # A later export of O1 with a corrected amount: it wins.
            _order("O1", "R1", "C1", "1200.00", date(2026, 3, 5)),
            _order("O4", "R2", "C3", "3000.00", date(2026, 3, 20)),
            # An order of a rep the roster does not know (a warning, not an error).
            _order("O5", "R9", "C3", "100.00", date(2026, 3, 21)),
        ],
    )
    _insert(
        con,
        "receivables",
        12,
        [{"receivable_id": "RC1", "order_id": "O1", "amount": Decimal("1200"), "due_date": date(2026, 4, 5)}],
    )
    _insert(
        con,
        "payments",
        13,
        [
            {
                "payment_id": "P1",
                "receivable_id": "RC1",
                "amount": Decimal("600"),
                "received_date": date(2026, 3, 20),
            },
            {
                "payment_id": "P2",
                "order_id": "O3",
                "amount": Decimal("500"),
                "received_date": date(2026, 3, 22),
            },
        ],
    )
    _insert(
        con,
        "daily_reports",
        20,
        [
            # R1 submits twice for 2026-03-09; the later submission (18:10, 5 visits) counts.
            _daily("R1", date(2026, 3, 9), datetime(2026, 3, 9, 18, 10), 5),
            _daily("R1", date(2026, 3, 9), datetime(2026, 3, 9, 17, 30), 3),
            _daily("R2", date(2026, 3, 9), datetime(2026, 3, 9, 16, 0), 4),
            _daily("R2", date(2026, 3, 17), datetime(2026, 3, 17, 16, 0), 6),
        ],
    )
    # The same 18:10 submission re-exported in a later file is not a third submission.
    _insert(con, "daily_reports", 21, [_daily("R1", date(2026, 3, 9), datetime(2026, 3, 9, 18, 10), 5)])
    _insert(
        con,
        "weekly_reports",
        22,
        [
            {
                "rep_id": "R1",
                "week_start": date(2026, 3, 9),
                "submitted_at": datetime(2026, 3, 16, 11, 0),
                "weekly_sales": Decimal("1200"),
                "obstacle_category": "price",
            }
        ],
    )
    _insert(
        con,
        "targets",
        30,
        [
            {
                "level": "rep",
                "entity_id": "R1",
                "period": "2026-03",
                "metric": "sales_amount",
                "value": Decimal("10000"),
            },
            {
                "level": "team",
                "entity_id": "T1",
                "period": "2026-Q1",
                "metric": "sales_amount",
                "value": Decimal("50000"),
            },
        ],
    )
    _insert(
        con,
        "target_adjustments",
        31,
        [
            _adjustment("A1", "R1", "8000", "approved", datetime(2026, 3, 10, 9, 0)),
            _adjustment("A2", "R1", "9000", "approved", datetime(2026, 3, 12, 9, 0)),
            _adjustment("A3", "R1", "1", "pending", None),
            _adjustment("A4", "R1", "2", "rejected", datetime(2026, 3, 13, 9, 0)),
            # An approved target for R2 that had no original.
            _adjustment("A5", "R2", "7000", "approved", datetime(2026, 3, 11, 9, 0)),
        ],
    )
    _insert(
        con,
        "opportunities",
        40,
        [
            _snapshot(date(2026, 3, 1), "initial_contact"),
            _snapshot(date(2026, 3, 2), "initial_contact"),
            _snapshot(date(2026, 3, 3), "proposal"),
            _snapshot(date(2026, 3, 5), "proposal"),
            _snapshot(date(2026, 3, 6), "won", "won", datetime(2026, 3, 6, 15, 0)),
        ],
    )
    _insert(
        con,
        "action_items",
        50,
        [
            {
                "action_id": "AI1",
                "review_type": "weekly",
                "review_period": "2026-W11",
                "problem": "拜访量不足",
                "measure": "每天至少3次拜访",
                "owner_rep_id": "R1",
                "due_date": date(2026, 3, 20),
                "status": "in_progress",
            }
        ],
    )


def _dbt_build(tmp: Path, db_path: Path, as_of: str) -> None:
    dbt_build(
        tmp, db_path, {"as_of_date": as_of, "dq_start_date": "2026-02-01"}
    )  # reports owed from February


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("dbt")
    db_path = tmp / "warehouse.duckdb"
    with duckdb.connect(str(db_path)) as con:
        _load_raw(con)
    _dbt_build(tmp, db_path, AS_OF)
    return db_path


@pytest.fixture
def query(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def run(sql: str, *params):
            return con.execute(sql, list(params)).fetchall()

        yield run


def test_schemas_are_exactly_staging_and_marts(query):
    schemas = {row[0] for row in query("select distinct table_schema from information_schema.tables")}
    assert {"staging", "marts"} <= schemas
    assert not {s for s in schemas if s.startswith("main_")}


def test_latest_file_wins_for_an_order(query):
    # O1 came as 1000.00 in file 10 and as 1200.00 in file 11.
    assert query("select amount, _file_id from marts.fct_orders where order_id = 'O1'") == [
        (Decimal("1200.00"), 11)
    ]
    # An order only in the older file stays.
    assert query("select amount from marts.fct_orders where order_id = 'O3'") == [(Decimal("2000.00"),)]
    assert query("select count(*) from marts.fct_orders") == [(5,)]


def test_cancelled_order_is_flagged_and_excluded_from_sales(query):
    assert query("select is_cancelled from marts.fct_orders where order_id = 'O2'") == [(True,)]
    # R1's March sales: O1 (1200, latest file) only; O2 (500) is cancelled.
    assert query(
        "select sum(amount) from marts.fct_orders"
        " where owner_rep_id = 'R1' and not is_cancelled and signed_month = '2026-03'"
    ) == [(Decimal("1200.00"),)]


def test_sales_follow_the_team_as_of_the_signed_date(query):
    # R2 moved from T1 to T2 on 2026-03-16: O3 (03-12) stays with T1, O4 (03-20) goes to T2.
    rows = query(
        "select order_id, team_id, region from marts.fct_orders where owner_rep_id = 'R2' order by 1"
    )
    assert rows == [("O3", "T1", "east"), ("O4", "T2", "north")]
    by_team = dict(
        query(
            "select team_id, sum(amount) from marts.fct_orders"
            " where not is_cancelled and team_id is not null group by 1"
        )
    )
    assert by_team == {"T1": Decimal("3200.00"), "T2": Decimal("3000.00")}
    # The unknown rep's order is kept, without a team (the relationship test only warns).
    assert query("select team_id from marts.fct_orders where order_id = 'O5'") == [(None,)]


def test_dim_reps_is_effective_dated(query):
    rows = query(
        "select team_id, valid_from, valid_to, is_current, leave_date from marts.dim_reps"
        " where rep_id = 'R2' order by valid_from"
    )
    assert rows == [
        ("T1", date(2025, 1, 6), date(2026, 3, 16), False, date(2026, 12, 31)),
        ("T2", date(2026, 3, 16), None, True, date(2026, 12, 31)),
    ]
    assert query("select count(*) from marts.dim_reps where is_current") == [(4,)]  # S1, R1, R2, S2


def test_duplicate_daily_report_keeps_the_latest_submission(query):
    rows = query(
        "select visits, submitted_at, submission_count, is_duplicate_submission, is_late"
        " from marts.fct_daily_reports where rep_id = 'R1' and report_date = '2026-03-09'"
    )
    # Two distinct submissions (17:30 and 18:10; the 18:10 one re-exported in a later file).
    assert rows == [(5, datetime(2026, 3, 9, 18, 10), 2, True, True)]
    assert query("select count(*) from marts.fct_daily_reports") == [(3,)]
    assert query("select team_id from marts.fct_daily_reports where rep_id = 'R2' order by report_date") == [
        ("T1",),
        ("T2",),
    ]


def test_dim_dates_counts_china_working_days(query):
    # March 2026: 22 weekdays, no holiday. October 2026: National Day 10-01..10-07 off (5 weekdays),
    # Saturday 10-10 is a make-up working day (调休): 22 weekdays - 5 + 1 = 18.
    assert WorkCalendar().is_workday(date(2026, 10, 10))
    months = dict(
        query(
            "select month_label, max(workdays_in_month) from marts.dim_dates"
            " where month_label in ('2026-03', '2026-10') group by 1"
        )
    )
    assert months == {"2026-03": 22, "2026-10": 18}
    assert query(
        "select is_workday, day_kind, workday_of_month, iso_week_label from marts.dim_dates"
        " where date_day = '2026-10-10'"
    ) == [(True, "makeup_workday", 3, "2026-W41")]
    assert query(
        "select is_workday, workday_of_month, workdays_elapsed_in_month from marts.dim_dates"
        " where date_day = '2026-10-01'"
    ) == [(False, None, 0)]
    # 2026-03-18 (Wednesday) is the 13th working day of March, 3rd of ISO week 2026-W12.
    assert query(
        "select workdays_elapsed_in_month, workday_of_week, iso_week_label, quarter_label"
        " from marts.dim_dates where date_day = '2026-03-18'"
    ) == [(13, 3, "2026-W12", "2026-Q1")]


def test_fct_targets_applies_the_latest_approved_adjustment(query):
    rows = query(
        "select target_id, original_value, adjusted_value, target_value, adjustment_id"
        " from marts.fct_targets order by target_id"
    )
    assert rows == [
        # A1 (8000) then A2 (9000) approved; A3 pending and A4 rejected do not apply.
        ("rep:R1:2026-03:sales_amount", Decimal("10000.00"), Decimal("9000.00"), Decimal("9000.00"), "A2"),
        ("rep:R2:2026-03:sales_amount", None, Decimal("7000.00"), Decimal("7000.00"), "A5"),
        ("team:T1:2026-Q1:sales_amount", Decimal("50000.00"), None, Decimal("50000.00"), None),
    ]
    assert query(
        "select period_grain, period_start, period_end from marts.fct_targets where level = 'team'"
    ) == [("quarter", date(2026, 1, 1), date(2026, 3, 31))]


def test_opportunity_history_tracks_stage_transitions(query):
    """Five snapshots, three states: a row per change, each valid until the next change."""
    rows = query(
        "select valid_from, valid_to, last_seen_date, snapshot_count, stage, is_stage_change, days_in_stage,"
        " is_latest_snapshot from marts.fct_opportunity_history order by valid_from"
    )
    assert rows == [
        (date(2026, 3, 1), date(2026, 3, 3), date(2026, 3, 2), 2, "initial_contact", False, 1, False),
        (date(2026, 3, 3), date(2026, 3, 6), date(2026, 3, 5), 2, "proposal", True, 2, False),
        (date(2026, 3, 6), None, date(2026, 3, 6), 1, "won", True, 0, True),
    ]


def test_receivables_and_payments(query):
    assert query(
        "select amount_due, amount_paid, amount_outstanding, team_id from marts.fct_receivables"
    ) == [(Decimal("1200.00"), Decimal("600.00"), Decimal("600.00"), "T1")]
    assert query("select order_id, is_order_level from marts.fct_payments order by payment_id") == [
        ("O1", False),
        ("O3", True),
    ]


def test_action_item_overdue_as_of_the_run_date(query):
    # Due 2026-03-20, still in progress on the as-of date 2026-03-25.
    assert query("select is_open, is_overdue from marts.fct_action_items") == [(True, True)]


def test_new_customer_is_credited_to_the_first_order(query):
    # C3's first non-cancelled order is O4 (R2, 03-20); C2 only has the cancelled O2.
    rows = query("select customer_id, first_order_id, first_order_rep_id from marts.dim_customers order by 1")
    assert rows == [("C1", "O1", "R1"), ("C2", None, None), ("C3", "O4", "R2")]


def test_kpi_rep_monthly(query):
    # Every roster person x calendar month up to the as-of month (Jan-Mar 2026), zeros included.
    assert query("select count(*), count(distinct rep_id) from marts.kpi_rep_monthly") == [(12, 4)]
    rows = query(
        "select rep_id, team_id, sales_amount, orders_count, target_amount, completion_rate,"
        " time_progress, new_customers, won_amount, daily_reports_expected, daily_reports_on_time"
        " from marts.kpi_rep_monthly where period_label = '2026-03' and role = 'rep' order by rep_id"
    )
    # As of Wednesday 2026-03-25: 18 of March's 22 working days have elapsed.
    progress = 18 / 22
    assert rows == [
        # R1: O1 (1200); target 9000 after adjustment A2; won OP1 (5000); its one report was late.
        ("R1", "T1", Decimal("1200.00"), 1, Decimal("9000.00"), pytest.approx(1200 / 9000),
         pytest.approx(progress), 1, Decimal("5000.00"), 18, 0),
        # R2 (in T2 since 03-16): O3 + O4; target 7000 from A5; two on-time reports.
        ("R2", "T2", Decimal("5000.00"), 2, Decimal("7000.00"), pytest.approx(5000 / 7000),
         pytest.approx(progress), 1, Decimal("0.00"), 18, 2),
    ]  # fmt: skip
    # February is closed: time progress 1.0, no sales, no target.
    assert query(
        "select sales_amount, completion_rate, time_progress from marts.kpi_rep_monthly"
        " where rep_month_id = 'R1@2026-02'"
    ) == [(Decimal("0.00"), None, 1.0)]


def test_kpi_team_monthly_follows_the_mover(query):
    rows = query(
        "select team_id, rep_count, sales_amount, orders_count, target_amount, completion_rate,"
        " daily_reports_expected from marts.kpi_team_monthly where period_label = '2026-03' order by team_id"
    )
    # T1 keeps O1 + O3 and R2's 10 working days before the move; T2 gets O4 and the 8 after.
    # No explicit team targets: each team gets its reps' targets by working day in the team,
    # R1's 9000 and R2's 7000 x 10/22 (T1) or x 12/22 (T2) of March's working days.
    t1_target = Decimal("9000") + Decimal("3181.82")
    t2_target = Decimal("3818.18")
    assert rows == [
        ("T1", 1, Decimal("3200.00"), 2, t1_target, pytest.approx(3200 / 12181.82), 18 + 10),
        ("T2", 1, Decimal("3000.00"), 1, t2_target, pytest.approx(3000 / 3818.18), 8),
    ]


FIGURES = {
    "kpi_team_monthly": "select * exclude (measured_through_date) from marts.kpi_team_monthly order by all",
    "kpi_rep_weekly": "select * exclude (measured_through_date) from marts.kpi_rep_weekly order by all",
    "dq_submissions": "select report_type, rep_id, period_start, status from marts.dq_submissions "
    "order by all",
}


def test_a_rebuild_as_of_the_same_date_gives_the_same_figures(warehouse, tmp_path):
    """A backfill recomputes a past date: exports that arrived since must not change its figures."""
    db_path = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, db_path)

    def figures() -> dict:
        with duckdb.connect(str(db_path), read_only=True) as con:
            return {name: con.execute(sql).fetchall() for name, sql in FIGURES.items()}

    before = figures()
    with duckdb.connect(str(db_path)) as con:  # the days after the as-of date arrive
        _insert(con, "orders", 30, [_order("O9", "R1", "C1", 777, date(2026, 3, 27))])
        _insert(con, "daily_reports", 31, [_daily("R1", date(2026, 3, 26), datetime(2026, 3, 26, 16, 0), 9)])
    _dbt_build(tmp_path, db_path, AS_OF)
    assert figures() == before
    # ...while a build as of a later date does count them (so this test can fail).
    _dbt_build(tmp_path, db_path, "2026-03-31")
    assert figures()["kpi_team_monthly"] != before["kpi_team_monthly"]
