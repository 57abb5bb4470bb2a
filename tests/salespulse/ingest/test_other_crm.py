"""The same organisation exported by "another CRM" (reps by name, one opportunity snapshot of
the whole history, order lines, US dates, dollar amounts, UTF-16, a decimal comma, cp1252, the
roster on sheet 2) loads with the user contracts in models/examples/other-crm/ only, and its
KPI marts equal the standard exports' marts, row for row, to the cent.

The one difference that has to be: pipeline balances of periods before the only snapshot are
unknown (null), where years of daily snapshots know them.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest
from dbt_support import ROOT, build_generated_org

AS_OF = date(2026, 6, 30)
ORG = {"seed": 7, "as_of": AS_OF, "reps": 12, "months": 4}
PIPELINE = {"open_opportunities", "open_pipeline", "weighted_pipeline", "pipeline_coverage"}

pytestmark = pytest.mark.xdist_group("other_crm")


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory):
    standard = build_generated_org(tmp_path_factory.mktemp("standard"), **ORG)
    other = build_generated_org(
        tmp_path_factory.mktemp("other"),
        **ORG,
        style="other-crm",
        overrides=ROOT / "models" / "examples" / "other-crm",
    )
    with (
        duckdb.connect(str(standard), read_only=True) as a,
        duckdb.connect(str(other), read_only=True) as b,
    ):
        yield a, b


def _kpi_marts(con) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' "
            "and table_name like 'kpi_%' order by 1"
        ).fetchall()
    ]


def _rows(con, table: str, names: dict[str, str] | None) -> tuple[list[str], list[tuple]]:
    columns = [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
            "order by column_index",
            [table],
        ).fetchall()
    ]
    rows = []
    for row in con.execute(f"select * from marts.{table}").fetchall():
        values = list(row)
        for i, column in enumerate(columns):
            value = values[i]
            if names is not None and isinstance(value, str):
                if column in ("rep_id", "supervisor_id"):
                    value = names.get(value, value)
                elif column.startswith("rep_") and column.endswith("_id") and "@" in value:
                    rep, _, period = value.partition("@")
                    value = f"{names.get(rep, rep)}@{period}"
            if isinstance(value, float):
                value = round(value, 9)
            values[i] = value
        rows.append(tuple(values))
    return columns, sorted(rows, key=repr)


def test_the_other_crm_loads_with_overrides_only_and_gives_the_same_kpi_marts(warehouses):
    standard, other = warehouses
    names = dict(standard.execute("select distinct rep_id, rep_name from marts.dim_reps").fetchall())
    marts = _kpi_marts(standard)
    assert len(marts) == 15 and _kpi_marts(other) == marts
    first_snapshot = other.execute("select min(valid_from) from marts.fct_opportunity_history").fetchone()[0]
    assert first_snapshot == AS_OF
    for table in marts:
        columns, expected = _rows(standard, table, names)
        _, actual = _rows(other, table, None)
        assert len(actual) == len(expected), table
        measured = columns.index("measured_through_date")
        for want, got in zip(expected, actual, strict=True):
            for i, column in enumerate(columns):
                if column in PIPELINE and got[measured] < first_snapshot:
                    assert got[i] is None, f"{table}.{column}: unknown before the first snapshot, not 0"
                    continue
                assert got[i] == want[i], f"{table}.{column} for {want[:4]}: {got[i]!r} != {want[i]!r}"


def test_won_figures_of_one_whole_history_snapshot_equal_daily_snapshots(warehouses):
    """The reporting window starts at the first closing date, not at the snapshot date."""
    standard, other = warehouses
    query = (
        "select period_label, won_amount, won_count, lost_count from marts.{} "
        "where won_count + lost_count > 0 order by period_label"
    )
    for table in ("kpi_company_monthly", "kpi_company_quarterly"):
        expected = standard.execute(query.format(table)).fetchall()
        assert len(expected) >= 2, table
        assert other.execute(query.format(table)).fetchall() == expected


def test_nothing_unexplained_and_order_lines_are_all_counted(warehouses):
    standard, other = warehouses
    for con in (standard, other):
        unexplained = con.execute(
            "select count(*) from marts.audit_row_flow "
            "where outcome = 'unexplained' and (rows <> 0 or amount <> 0)"
        ).fetchone()[0]
        assert unexplained == 0
    flow = "select outcome, sum(rows), sum(amount) from marts.audit_row_flow where kind = 'orders' group by 1"
    a, b = (
        dict((o, (r, m)) for o, r, m in standard.execute(flow).fetchall()),
        {o: (r, m) for o, r, m in other.execute(flow).fetchall()},
    )
    assert b["raw"][0] > a["raw"][0], "the other CRM exports one row per order line"
    assert b["counted"][1] == a["counted"][1], "every line's amount is counted"
    lines = other.execute("select count(*), count(distinct order_id) from marts.fct_order_lines").fetchone()
    orders = standard.execute("select count(*) from marts.fct_orders").fetchone()[0]
    assert lines[0] > lines[1] == orders


def test_monthly_sales_equal_the_order_lines_file_summed_by_hand(warehouses, tmp_path_factory):
    """An independent computation from the export itself: parse the order-lines CSV with the
    csv module and Decimal, keep completed lines of reps the roster knows, sum by month."""
    import csv
    from collections import defaultdict
    from datetime import datetime
    from decimal import Decimal

    from salespulse.generate import generate_org

    out = tmp_path_factory.mktemp("by_hand")
    generate_org(out, **ORG, style="other-crm")
    _, other = warehouses
    reps = {row[0] for row in other.execute("select distinct rep_id from marts.dim_reps").fetchall()}
    path = next((out / "landing" / "orders").glob("*.csv"))
    by_month: dict[str, Decimal] = defaultdict(Decimal)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            text = row["Order Date"]
            signed = datetime.strptime(text, "%m-%d-%y" if "-" in text else "%m/%d/%Y").date()
            if row["Order Status"] != "Completed" or row["Sales Rep"] not in reps or signed > AS_OF:
                continue
            amount = Decimal(row["Sales"].replace("US$", "").replace("$", "").replace(",", "").strip())
            by_month[signed.strftime("%Y-%m")] += amount
    marts = dict(
        other.execute(
            "select period_label, sales_amount from marts.kpi_company_monthly where sales_amount <> 0"
        ).fetchall()
    )
    assert marts == dict(by_month)
