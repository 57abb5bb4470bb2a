"""Great Expectations validates only the columns its suite reads: the same verdict as on every
column, for a fraction of the pandas frame."""

from __future__ import annotations

import json

import duckdb
import pytest

from salespulse.quality.expectations import Validator, select_list, suite_columns


def _suite(folder, kind: str, expectations: list[dict]) -> None:
    (folder / f"{kind}.json").write_text(json.dumps({"name": kind, "expectations": expectations}))


def _not_null(column: str) -> dict:
    return {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": column}, "meta": {}}


def test_suite_columns_lists_what_the_expectations_read(tmp_path):
    _suite(
        tmp_path,
        "columns",
        [
            _not_null("a"),
            {
                "type": "expect_column_pair_values_a_to_be_greater_than_b",
                "kwargs": {"column_A": "b", "column_B": "c"},
            },
            {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["a", "d"]}},
        ],
    )
    assert suite_columns("columns", tmp_path) == ["a", "b", "c", "d"]
    _suite(
        tmp_path, "table", [_not_null("a"), {"type": "expect_table_row_count_to_be_between", "kwargs": {}}]
    )
    assert suite_columns("table", tmp_path) is None
    conditional = {**_not_null("a"), "kwargs": {"column": "a", "row_condition": 'b=="x"'}}
    _suite(tmp_path, "conditional", [conditional])
    assert suite_columns("conditional", tmp_path) is None
    _suite(tmp_path, "empty", [])
    assert suite_columns("empty", tmp_path) == []
    assert select_list(None, "* exclude (x)") == "* exclude (x)"
    assert select_list([]) == "1 as _row"
    assert select_list(["a", 'we"ird']) == '"a", "we""ird"'
    # A column the table lacks: every column, so that GX reports it missing as before.
    assert select_list(["a", "b"], available=["a", "c"]) == "*"
    assert select_list(["a"], available=["a", "c"]) == '"a"'


@pytest.mark.parametrize("bad", [False, True])
def test_the_verdict_on_the_suite_columns_equals_the_verdict_on_all(tmp_path, bad):
    _suite(
        tmp_path,
        "orders",
        [
            _not_null("order_id"),
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "amount", "min_value": 0, "max_value": 1000},
                "meta": {"severity": "warning"},
            },
        ],
    )
    con = duckdb.connect()
    amount = "case when i = 7 then 5000 else i end" if bad else "i"
    con.execute(
        f"create table orders as select 'O' || i as order_id, {amount} as amount, "
        "'note ' || i as notes, i % 3 as other from range(100) t(i)"
    )
    validator = Validator(tmp_path)
    everything = validator.validate("orders", con.execute("select * from orders").df())
    columns = select_list(suite_columns("orders", tmp_path))
    subset = con.execute(f"select {columns} from orders").df()
    assert list(subset.columns) == ["order_id", "amount"]
    only = validator.validate("orders", subset)
    assert (only.success, only.rows, only.evaluated, only.failures) == (
        everything.success,
        everything.rows,
        everything.evaluated,
        everything.failures,
    )
    assert only.success is not bad
    if bad:
        assert only.failures[0]["unexpected_count"] == 1 and only.failures[0]["examples"] == ["5000"]
