"""The KPI marts built end to end on a small hand-made raw schema (SPEC §3).

As of Wednesday 2026-04-08: ISO week 2026-W14 (Mon 03-30 .. Sun 04-05) spans March and April,
2026-W15 is the current week and starts with the 清明 holiday (Monday 04-06), 2026-Q1 is closed.
Expected values are worked out by hand from the rows below, not read back from the SQL;
working-day counts come from the China calendar (March 2026: 22, April 2026: 21).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb
import pytest
from dbt_support import ROOT, dbt_build, insert_rows

from salespulse.calendar import WorkCalendar
from salespulse.contracts import load_contracts
from salespulse.ingest.schema import create_raw_schema

AS_OF = "2026-04-08"


def _insert(con: duckdb.DuckDBPyConnection, kind: str, file_id: int, rows: list[dict]) -> None:
    insert_rows(con, kind, file_id, rows, datetime(2026, 4, 8, 8, 0))


def _roster(rep_id, team_id, effective_from, role="rep"):
    team_name, region = {"T1": ("华东一组", "华东"), "T2": ("华北一组", "华北")}[team_id]
    return {
        "rep_id": rep_id,
        "name": f"销售{rep_id}",
        "team_id": team_id,
        "team_name": team_name,
        "region": region,
        "role": role,
        "hire_date": date(2025, 1, 6),
        "effective_from": effective_from,
    }


def _order(order_id, rep_id, customer_id, amount, signed_date, status="signed"):
    return {
        "order_id": order_id,
        "customer_id": customer_id,
        "owner_rep_id": rep_id,
        "product_line": "云平台" if order_id in ("O1", "O2", "O3") else "数据分析",
        "amount": Decimal(amount),
        "signed_date": signed_date,
        "status": status,
    }


def _target(level, entity_id, period, value):
    return {
        "level": level,
        "entity_id": entity_id,
        "period": period,
        "metric": "sales_amount",
        "value": Decimal(value),
    }


def _snapshot(opportunity_id, rep_id, snapshot_date, stage, amount, status="open", closed_at=None):
    return {
        "snapshot_date": snapshot_date,
        "opportunity_id": opportunity_id,
        "customer_id": "C1",
        "owner_rep_id": rep_id,
        "product_line": "云平台",
        "stage": stage,
        "amount": Decimal(amount),
        "created_at": datetime(2026, 3, 1, 9, 0),
        "status": status,
        "closed_at": closed_at,
    }


def _load_raw(con: duckdb.DuckDBPyConnection) -> None:
    create_raw_schema(con, load_contracts(ROOT / "models"))
    con.executemany(
        "insert into raw.work_calendar values (?, ?, ?)",
        WorkCalendar().days(date(2025, 1, 1), date(2026, 12, 31)),
    )
    _insert(
        con,
        "roster",
        1,
        [
            _roster("S1", "T1", date(2025, 1, 6), role="supervisor"),
            _roster("R1", "T1", date(2025, 1, 6)),
            _roster("R2", "T1", date(2025, 1, 6)),
            # R2 moves to T2 (华北) on Monday 2026-03-16, after 10 of March's 22 working days.
            _roster("R2", "T2", date(2026, 3, 16)),
            _roster("R3", "T2", date(2025, 1, 6)),
        ],
    )
    _insert(
        con,
        "orders",
        10,
        [
            _order("O8", "R1", "C1", "500.00", date(2025, 3, 31)),  # 2025-Q1: the YoY base
            _order("O1", "R1", "C1", "1000.00", date(2026, 1, 15)),
            _order("O2", "R1", "C2", "2000.00", date(2026, 3, 31)),  # W14, March side
            _order("O3", "R1", "C3", "3000.00", date(2026, 4, 2)),  # W14, April side
            _order("O7", "R1", "C7", "7000.00", date(2026, 4, 1), status="cancelled"),
            _order("O4", "R2", "C4", "4000.00", date(2026, 3, 10)),  # R2 still in T1
            _order("O5", "R2", "C5", "5000.00", date(2026, 3, 20)),  # R2 in T2
            _order("O6", "R3", "C6", "6000.00", date(2026, 4, 7)),  # W15
            _order("O9", "R1", "C9", "9000.00", date(2026, 4, 9)),  # after the as-of date
        ],
    )
    _insert(
        con,
        "receivables",
        11,
        [
            {
                "receivable_id": "RC1",
                "order_id": "O2",
                "amount": Decimal("2000"),
                "due_date": date(2026, 3, 31),
            },
            {
                "receivable_id": "RC2",
                "order_id": "O3",
                "amount": Decimal("3000"),
                "due_date": date(2026, 4, 30),
            },
        ],
    )
    _insert(
        con,
        "payments",
        12,
        [
            # A partial payment, then an order-level payment allocated to RC1 (O2's only receivable).
            {
                "payment_id": "P1",
                "receivable_id": "RC1",
                "amount": Decimal("1200"),
                "received_date": date(2026, 3, 25),
            },
            {
                "payment_id": "P2",
                "order_id": "O2",
                "amount": Decimal("500"),
                "received_date": date(2026, 4, 3),
            },
            # Received after the as-of date: not collected yet.
            {
                "payment_id": "P3",
                "receivable_id": "RC1",
                "amount": Decimal("300"),
                "received_date": date(2026, 4, 10),
            },
        ],
    )
    _insert(
        con,
        "targets",
        20,
        [
            _target("rep", "R1", "2026-01", "10000"),
            _target("rep", "R1", "2026-02", "10000"),
            _target("rep", "R1", "2026-03", "22000"),
            _target("rep", "R1", "2026-04", "21000"),
            _target("rep", "R2", "2026-03", "22000"),
            _target("rep", "R3", "2026-03", "11000"),
            _target("rep", "R3", "2026-04", "21000"),
            _target("team", "T2", "2026-03", "30000"),
            _target("region", "华北", "2026-Q1", "100000"),
            _target("company", "COMPANY", "2026-Q1", "150000"),
        ],
    )
    _insert(
        con,
        "target_adjustments",
        21,
        [
            {
                "adjustment_id": "A1",
                "level": "rep",
                "entity_id": "R3",
                "period": "2026-04",
                "metric": "sales_amount",
                "new_value": Decimal("42000"),
                "status": "approved",
                "approved_at": datetime(2026, 3, 28, 9, 0),
            },
            {
                "adjustment_id": "A2",
                "level": "rep",
                "entity_id": "R1",
                "period": "2026-04",
                "metric": "sales_amount",
                "new_value": Decimal("1"),
                "status": "pending",
            },
        ],
    )
    _insert(
        con,
        "opportunities",
        30,
        [
            _snapshot("OP1", "R1", date(2026, 3, 20), "proposal", "10000"),
            _snapshot("OP1", "R1", date(2026, 4, 3), "negotiation", "10000"),
            _snapshot("OP2", "R3", date(2026, 3, 25), "closing", "5000"),
            _snapshot("OP2", "R3", date(2026, 4, 6), "won", "5000", "won", datetime(2026, 4, 6, 10, 0)),
        ],
    )


@pytest.fixture(scope="module")
def query(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dbt_kpis")
    db_path = tmp / "warehouse.duckdb"
    with duckdb.connect(str(db_path)) as con:
        _load_raw(con)
    dbt_build(tmp, db_path, {"as_of_date": AS_OF})
    with duckdb.connect(str(db_path), read_only=True) as con:

        def run(sql: str, *params):
            return con.execute(sql, list(params)).fetchall()

        yield run


def _workdays(start: date, end: date) -> int:
    calendar = WorkCalendar()
    return sum(calendar.is_workday(start + timedelta(days=n)) for n in range((end - start).days + 1))


def test_calendar_assumptions():
    assert _workdays(date(2026, 3, 1), date(2026, 3, 31)) == 22
    assert _workdays(date(2026, 4, 1), date(2026, 4, 30)) == 21
    assert _workdays(date(2026, 3, 2), date(2026, 3, 13)) == 10  # R2's March days in T1
    assert not WorkCalendar().is_workday(date(2026, 4, 6))  # 清明


def test_week_spanning_two_months_rep(query):
    rows = query(
        "select rep_id, team_id, sales_amount, orders_count, target_amount, completion_rate,"
        " time_progress, pace_gap, pop_sales_growth from marts.kpi_rep_weekly"
        " where period_label = '2026-W14' and role = 'rep' order by rep_id"
    )
    assert rows == [
        # O2 (03-31) + O3 (04-02); O7 is cancelled. Target: 22000 x 2/22 + 21000 x 3/21.
        ("R1", "T1", Decimal("5000.00"), 2, Decimal("5000.00"), 1.0, 1.0, 0.0, None),
        # March side only: R2 has no April target.
        ("R2", "T2", Decimal("0.00"), 0, Decimal("2000.00"), 0.0, 1.0, -1.0, None),
        # 11000 x 2/22 + the approved adjustment 42000 (not 21000) x 3/21.
        ("R3", "T2", Decimal("0.00"), 0, Decimal("7000.00"), 0.0, 1.0, -1.0, None),
    ]
    # The supervisor has a row too, with zeros.
    assert query("select sales_amount from marts.kpi_rep_weekly where rep_week_id = 'S1@2026-W14'") == [
        (Decimal("0.00"),)
    ]


def test_week_spanning_two_months_team(query):
    rows = query(
        "select team_id, sales_amount, target_amount, open_pipeline, weighted_pipeline"
        " from marts.kpi_team_weekly where period_label = '2026-W14' order by team_id"
    )
    # T1 has no explicit targets: March = R1's 22000 + R2's 10 days in T1 (10000) = 32000,
    # April = R1's 21000. T2: explicit March 30000, April from R3's adjusted 42000.
    # Pipeline on Sunday 04-05: OP1 in negotiation (10000 x 60 %), OP2 in closing (5000 x 80 %).
    assert rows == [
        ("T1", Decimal("5000.00"), Decimal("5909.09"), Decimal("10000.00"), Decimal("6000.00")),
        ("T2", Decimal("0.00"), Decimal("8727.27"), Decimal("5000.00"), Decimal("4000.00")),
    ]
    assert float(Decimal("32000") * 2 / 22 + Decimal("21000") * 3 / 21) == pytest.approx(5909.09, abs=0.005)
    assert float(Decimal("30000") * 2 / 22 + Decimal("42000") * 3 / 21) == pytest.approx(8727.27, abs=0.005)


def test_holiday_week_in_progress(query):
    # W15: 清明 Monday off, 4 working days, 2 elapsed by Wednesday 04-08.
    rows = query(
        "select sales_amount, target_amount, completion_rate, time_progress, pace_gap, won_amount,"
        " won_count, workdays_in_period, workdays_elapsed, is_closed"
        " from marts.kpi_rep_weekly where rep_week_id = 'R3@2026-W15'"
    )
    # O6 6000 against 42000 x 4/21 = 8000; OP2 won on 04-06.
    assert rows == [
        (Decimal("6000.00"), Decimal("8000.00"), 0.75, 0.5, 0.25, Decimal("5000.00"), 1, 4, 2, False)
    ]


def test_quarter_rep(query):
    rows = query(
        "select rep_id, sales_amount, target_amount, completion_rate, yoy_sales_growth, collection_rate,"
        " receivables_due_amount, collected_amount, overdue_receivables, open_pipeline, weighted_pipeline"
        " from marts.kpi_rep_quarterly where period_label = '2026-Q1' and role = 'rep' order by rep_id"
    )
    assert rows == [
        # O1 + O2 against 10000 + 10000 + 22000; 2025-Q1 had 500 (O8): (3000 - 500) / 500.
        # RC1 (2000, due 03-31): 1200 + the order-level 500 by the as-of date; P3 comes later.
        # On 03-31 RC1 is not overdue yet; OP1 is in proposal (10000 x 30 %).
        ("R1", Decimal("3000.00"), Decimal("42000.00"), pytest.approx(3000 / 42000), 5.0, 0.85,
         Decimal("2000.00"), Decimal("1700.00"), Decimal("0.00"), Decimal("10000.00"), Decimal("3000.00")),
        # R2 sold nothing in 2025-Q1: a zero base gives no YoY.
        ("R2", Decimal("9000.00"), Decimal("22000.00"), pytest.approx(9000 / 22000), None, None,
         Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
        ("R3", Decimal("0.00"), Decimal("11000.00"), 0.0, None, None,
         Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), Decimal("5000.00"), Decimal("4000.00")),
    ]  # fmt: skip


def test_quarter_team_region_company(query):
    teams = query(
        "select team_id, sales_amount, target_amount from marts.kpi_team_quarterly"
        " where period_label = '2026-Q1' order by team_id"
    )
    # The mover's O4 (03-10) stays with T1, O5 (03-20) goes to T2. Quarter targets are the sum of
    # the months: T1 10000 + 10000 + 32000; T2 only has March (explicit 30000).
    assert teams == [
        ("T1", Decimal("7000.00"), Decimal("52000.00")),
        ("T2", Decimal("5000.00"), Decimal("30000.00")),
    ]
    regions = query(
        "select region, sales_amount, target_amount from marts.kpi_region_quarterly"
        " where period_label = '2026-Q1' order by region"
    )
    # 华北 has an explicit quarter target; 华东's is the sum of its months (from its team).
    assert regions == [
        ("华东", Decimal("7000.00"), Decimal("52000.00")),
        ("华北", Decimal("5000.00"), Decimal("100000.00")),
    ]
    company = query(
        "select rep_count, sales_amount, target_amount, completion_rate, yoy_sales_growth, open_pipeline,"
        " pipeline_coverage, time_progress, is_closed from marts.kpi_company_quarterly"
        " where period_label = '2026-Q1'"
    )
    assert company == [
        (3, Decimal("12000.00"), Decimal("150000.00"), pytest.approx(12000 / 150000), 23.0,
         Decimal("15000.00"), pytest.approx(15000 / 138000), 1.0, True),
    ]  # fmt: skip


def test_current_month_and_quarter(query):
    april_progress = 5 / 21  # 04-01, 02, 03, 07, 08
    rows = query(
        "select rep_id, sales_amount, target_amount, time_progress, collection_rate, overdue_receivables,"
        " open_pipeline, pipeline_coverage from marts.kpi_rep_monthly"
        " where period_label = '2026-04' and role = 'rep' order by rep_id"
    )
    assert rows == [
        # O3 only (O7 cancelled, O9 after the as-of date); RC2 (due 04-30) unpaid; RC1 overdue
        # by 2000 - 1700 on 04-08; coverage 10000 / (21000 - 3000).
        ("R1", Decimal("3000.00"), Decimal("21000.00"), pytest.approx(april_progress), 0.0,
         Decimal("300.00"), Decimal("10000.00"), pytest.approx(10000 / 18000)),
        ("R2", Decimal("0.00"), None, pytest.approx(april_progress), None,
         Decimal("0.00"), Decimal("0.00"), None),
        # OP2 was won on 04-06: no pipeline left.
        ("R3", Decimal("6000.00"), Decimal("42000.00"), pytest.approx(april_progress), None,
         Decimal("0.00"), Decimal("0.00"), 0.0),
    ]  # fmt: skip
    q2_progress = 5 / _workdays(date(2026, 4, 1), date(2026, 6, 30))
    assert query(
        "select target_amount, time_progress from marts.kpi_company_quarterly where period_label = '2026-Q2'"
    ) == [(Decimal("63000.00"), pytest.approx(q2_progress))]


def test_rep_daily(query):
    rows = query(
        "select period_label, sales_amount, target_amount, completion_rate, pop_sales_growth"
        " from marts.kpi_rep_daily where rep_id = 'R1' and period_start between '2026-04-01' and '2026-04-07'"
        " order by period_start"
    )
    assert rows == [
        ("2026-04-01", Decimal("0.00"), Decimal("1000.00"), 0.0, -1.0),  # O7 is cancelled
        ("2026-04-02", Decimal("3000.00"), Decimal("1000.00"), 3.0, None),  # previous working day: 0
        ("2026-04-03", Decimal("0.00"), Decimal("1000.00"), 0.0, -1.0),
        ("2026-04-04", Decimal("0.00"), Decimal("0.00"), None, None),
        ("2026-04-05", Decimal("0.00"), Decimal("0.00"), None, None),
        ("2026-04-06", Decimal("0.00"), Decimal("0.00"), None, None),
        ("2026-04-07", Decimal("0.00"), Decimal("1000.00"), 0.0, None),  # compared with 04-03
    ]


def test_every_rep_and_month_from_the_first_activity(query):
    # Activity starts with O8 in March 2025: 14 months (2025-03 .. 2026-04) x 4 people.
    assert query("select count(*), min(period_label), max(period_label) from marts.kpi_rep_monthly") == [
        (56, "2025-03", "2026-04")
    ]
    assert query("select count(*) from marts.kpi_rep_monthly where sales_amount = 0") == [(56 - 6,)]
