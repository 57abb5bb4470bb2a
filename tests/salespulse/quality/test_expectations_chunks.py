"""Great Expectations on a table in chunks: the same verdicts, counts and examples as on one
frame of every row, so that validating millions of rows does not need them all in memory."""

from __future__ import annotations

import json

import duckdb
import pytest

from salespulse.quality.expectations import Validator, row_wise


def _suite(folder, kind: str, expectations: list[dict]) -> None:
    (folder / f"{kind}.json").write_text(json.dumps({"name": kind, "expectations": expectations}))


def _expect(type_: str, severity: str = "error", **kwargs) -> dict:
    return {"type": type_, "kwargs": kwargs, "meta": {"severity": severity}}


ROWS = 10_000


@pytest.fixture
def con():
    con = duckdb.connect()
    # Nulls and values out of set bunched at the start and the end (so that one chunk fails a
    # `mostly` the whole table meets), values out of range spread over every chunk, one
    # duplicate id far apart (a chunk boundary between them), and a column pair.
    con.execute(
        f"""
        create table deals as
        select
            i,
            case when i in (17, {ROWS - 5}) then 'D17' else 'D' || i end as deal_id,
            case when i < 300 then null else 'open' end as status,
            case when i >= {ROWS - 700} then 'lost?' when i % 89 = 0 then null else 'won' end as outcome,
            case when i % 211 = 0 then -5 else i % 500 end as amount,
            i % 500 + case when i % 401 = 0 then -1 else 1 end as amount_cap,
            (i % 7) * 1.5 as visits
        from range({ROWS}) t(i)
        """
    )
    return con


def _suite_of(mostly_in: float, mostly_not_null: float) -> list[dict]:
    return [
        _expect("expect_column_values_to_not_be_null", column="deal_id"),
        _expect("expect_column_values_to_not_be_null", column="status", mostly=mostly_not_null),
        _expect("expect_column_values_to_not_be_null", "warning", column="outcome"),
        _expect("expect_column_values_to_be_in_set", column="outcome", value_set=["won"], mostly=mostly_in),
        _expect("expect_column_values_to_be_between", "warning", column="amount", min_value=0, max_value=499),
        _expect("expect_column_pair_values_a_to_be_greater_than_b", column_A="amount_cap", column_B="amount"),
        _expect("expect_column_values_to_be_unique", column="deal_id"),
        _expect("expect_column_mean_to_be_between", "warning", column="visits", min_value=4, max_value=9),
    ]


# outcome: 700 'lost?' at the end, 105 nulls before them: 92.9 % of the non-null in set.
# status: 300 nulls at the start: 97 % not null. The thresholds sit on both sides of each share;
# the chunks holding the bunches fail them on their own.
@pytest.mark.parametrize("mostly_in, mostly_not_null", [(0.92, 0.96), (0.93, 0.98), (0.5, 0.5), (1.0, 1.0)])
@pytest.mark.parametrize("chunk_rows", [1, 4096, 7000])
def test_chunks_give_the_verdict_of_one_frame(tmp_path, con, mostly_in, mostly_not_null, chunk_rows):
    _suite(tmp_path, "deals", _suite_of(mostly_in, mostly_not_null))
    validator = Validator(tmp_path)
    whole = validator.validate("deals", con.execute("select * from deals").df())
    seen: list[int] = []
    into = validator._into
    validator._into = lambda kind, merged, frame: (seen.append(len(frame)), into(kind, merged, frame))
    chunked = validator.validate_table("deals", con, "main.deals", chunk_rows=chunk_rows)
    assert (chunked.success, chunked.rows, chunked.evaluated) == (whole.success, whole.rows, whole.evaluated)
    assert chunked.failures == whole.failures
    # The row-by-row expectations saw the rows in several chunks, none larger than asked
    # (rounded up to DuckDB's 2,048-row vectors); the rest (unique, mean) saw them at once.
    assert seen.count(ROWS) == 1 and sorted(seen)[:-1] and max(sorted(seen)[:-1]) <= max(chunk_rows, 2048)
    assert sum(seen) - ROWS == ROWS
    failed = {(f["expectation"], f["column"]) for f in chunked.failures}
    # Independent of GX: what must fail, from the table's construction.
    assert ("expect_column_values_to_be_unique", "deal_id") in failed
    assert ("expect_column_values_to_be_between", "amount") in failed
    assert ("expect_column_pair_values_a_to_be_greater_than_b", None) in failed
    assert ("expect_column_mean_to_be_between", "visits") not in failed  # mean 4.5
    in_set_share = con.execute(
        "select count(*) filter (outcome = 'won') / count(outcome) from deals"
    ).fetchone()[0]
    assert (("expect_column_values_to_be_in_set", "outcome") in failed) == (in_set_share < mostly_in)
    not_null_share = con.execute("select count(status) / count(*) from deals").fetchone()[0]
    status_failed = ("expect_column_values_to_not_be_null", "status") in failed
    assert status_failed == (not_null_share < mostly_not_null)
    by_column = {(f["expectation"], f["column"]): f for f in chunked.failures}
    between = by_column[("expect_column_values_to_be_between", "amount")]
    assert between["unexpected_count"] == ROWS // 211 + 1
    assert between["examples"] == ["-5"] * 5


def test_no_rows_pass_as_on_an_empty_frame(tmp_path, con):
    _suite(tmp_path, "deals", _suite_of(1.0, 1.0))
    validator = Validator(tmp_path)
    empty = validator.validate_table("deals", con, "main.deals", "i < ?", [0])
    whole = validator.validate("deals", con.execute("select * from deals where i < 0").df())
    assert (empty.success, empty.rows, empty.failures) == (whole.success, 0, whole.failures)


def test_which_expectations_are_judged_row_by_row():
    assert row_wise(_expect("expect_column_values_to_not_be_null", column="a"))
    assert row_wise(_expect("expect_column_values_to_be_in_set", column="a", value_set=[1]))
    assert row_wise(_expect("expect_column_values_to_match_regex", column="a", regex="x"))
    assert row_wise(_expect("expect_column_pair_values_a_to_be_greater_than_b", column_A="a", column_B="b"))
    # Rows compared with other rows, aggregates, the table, and types GX does not know.
    assert not row_wise(_expect("expect_column_values_to_be_unique", column="a"))
    assert not row_wise(_expect("expect_compound_columns_to_be_unique", column_list=["a", "b"]))
    assert not row_wise(_expect("expect_column_values_to_be_increasing", column="a"))
    assert not row_wise(_expect("expect_column_mean_to_be_between", column="a"))
    assert not row_wise(_expect("expect_table_row_count_to_be_between"))
    assert not row_wise(_expect("expect_no_such_thing", column="a"))


def test_a_column_the_table_lacks_fails_in_chunks_as_on_one_frame(tmp_path, con):
    _suite(tmp_path, "deals", [_expect("expect_column_values_to_not_be_null", column="no_such_column")])
    chunked = Validator(tmp_path).validate_table("deals", con, "main.deals", chunk_rows=2048)
    assert not chunked.success and chunked.failures[0]["column"] == "no_such_column"
