"""Ingest: every landed file loads completely and exactly once, or explains itself."""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from salespulse.ingest.loader import Ingestor

DAILY_HEADER = "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"
ORDER_HEADER = "order_id,customer_id,owner_rep_id,product_line,amount,signed_date,status\n"


def land(settings, relative: str, content: bytes | str, encoding: str = "utf-8") -> Path:
    path = settings.landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def ingest(settings, contracts):
    con = duckdb.connect(str(settings.warehouse_path))
    report = Ingestor(con, settings, contracts, now=datetime(2026, 3, 10, 18, 0)).run()
    return con, report


def only(report):
    assert len(report.files) == 1
    return report.files[0]


def test_good_gbk_csv_loads_with_types_and_lineage(home, contracts):
    land(
        home,
        "daily_reports/日报 2026-03.csv",
        DAILY_HEADER + "R001,张三,2026/3/5,2026-03-05 16:42:10,5,12,1,拜访了客户\n",
        "gbk",
    )
    con, report = ingest(home, contracts)
    result = only(report)
    assert (result.status, result.kind, result.encoding) == ("loaded", "daily_reports", "gb18030")
    row = con.execute(
        "select rep_id, rep_name, report_date, submitted_at, visits, notes, _file_id, _row_number "
        "from raw.daily_reports"
    ).fetchone()
    assert row == ("R001", "张三", date(2026, 3, 5), datetime(2026, 3, 5, 16, 42, 10), 5, "拜访了客户", 1, 1)
    assert not list(home.landing_dir.rglob("*.csv"))
    archived = list((home.archive_dir / "daily_reports" / "2026-03-10").iterdir())
    assert [p.name for p in archived] == [f"{result.sha256}.csv"]
    assert archived[0].read_bytes() == (
        DAILY_HEADER + "R001,张三,2026/3/5,2026-03-05 16:42:10,5,12,1,拜访了客户\n"
    ).encode("gbk")


def test_same_content_again_even_renamed_loads_nothing(home, contracts):
    content = ORDER_HEADER + "O1,C1,R001,云平台,100,2026-03-01,signed\n"
    land(home, "orders/a.csv", content)
    con, _ = ingest(home, contracts)
    con.close()
    land(home, "orders/b renamed.csv", content)
    con, report = ingest(home, contracts)
    result = only(report)
    assert result.status == "duplicate" and result.duplicate_of == 1 and result.rows_loaded == 0
    assert con.execute("select count(*) from raw.orders").fetchone()[0] == 1
    statuses = con.execute("select status from raw.ingested_files order by file_id").fetchall()
    assert statuses == [("loaded",), ("duplicate",)]


def test_empty_file_is_quarantined_with_a_reason_file(home, contracts):
    land(home, "orders/empty.csv", b"")
    _, report = ingest(home, contracts)
    result = only(report)
    assert result.status == "quarantined" and "empty" in result.error
    reason_files = list(home.quarantine_dir.rglob("*.reason.txt"))
    assert len(reason_files) == 1 and "empty" in reason_files[0].read_text()
    assert list(home.archive_dir.rglob("*.csv")), "a quarantined file is archived too"


def test_header_only_file_loads_zero_rows(home, contracts):
    land(home, "orders/none today.csv", ORDER_HEADER)
    _, report = ingest(home, contracts)
    result = only(report)
    assert (result.status, result.rows_in_file, result.rows_loaded, result.rows_rejected) == (
        "loaded",
        0,
        0,
        0,
    )


def test_unknown_extra_columns_are_ignored_with_a_warning_or_kept(home, contracts):
    land(
        home,
        "orders/x.csv",
        ORDER_HEADER.strip() + ",销售备注\nO1,C1,R001,云平台,100,2026-03-01,signed,VIP\n",
    )
    con, report = ingest(home, contracts)
    result = only(report)
    assert result.status == "loaded"
    assert result.warnings == ["unknown columns ignored: 销售备注"]
    warnings = con.execute("select warnings from raw.ingested_files").fetchone()[0]
    assert "销售备注" in warnings
    keep = {**contracts, "orders": contracts["orders"].model_copy(update={"extra_columns": "keep"})}
    con.close()
    land(
        home,
        "orders/y.csv",
        ORDER_HEADER.strip() + ",销售备注\nO2,C1,R001,云平台,100,2026-03-01,signed,VIP\n",
    )
    con, report = ingest(home, keep)
    assert (
        con.execute("select _extra->>'销售备注' from raw.orders where order_id = 'O2'").fetchone()[0] == "VIP"
    )


def test_missing_required_column_quarantines_naming_column_and_aliases(home, contracts):
    land(home, "orders/no amount.csv", "order_id,customer_id,owner_rep_id,product_line,signed_date,status\n")
    _, report = ingest(home, contracts)
    result = only(report)
    assert result.status == "quarantined"
    assert "missing required column 'amount'" in result.error
    assert "订单金额" in result.error and "Contract Amount" in result.error


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(home, contracts, encoding):
    land(
        home,
        "daily_reports/d.csv",
        DAILY_HEADER + "R001,张三,2026-03-05,2026-03-05 16:00,3,4,0,客户说：好\n",
        encoding,
    )
    con, report = ingest(home, contracts)
    assert only(report).rows_loaded == 1
    assert con.execute("select rep_name, notes from raw.daily_reports").fetchone() == ("张三", "客户说：好")


def test_mixed_encodings_in_one_file_decode_line_by_line(home, contracts):
    data = (DAILY_HEADER + "R001,张三,2026-03-05,2026-03-05 16:00,3,4,0,甲\n").encode("gbk")
    data += "R002,李四,2026-03-05,2026-03-05 16:00,3,4,0,乙\n".encode()
    land(home, "daily_reports/mixed.csv", data)
    con, report = ingest(home, contracts)
    result = only(report)
    assert result.rows_loaded == 2 and result.encoding == "mixed utf-8/gb18030"
    assert sorted(con.execute("select rep_name from raw.daily_reports").fetchall()) == [("张三",), ("李四",)]


def test_contract_encoding_that_does_not_fit_is_a_clear_quarantine(home, contracts):
    strict = {**contracts, "orders": contracts["orders"].model_copy(update={"encoding": "ascii"})}
    land(home, "orders/o.csv", ORDER_HEADER + "O1,C1,R001,云平台,100,2026-03-01,signed\n")
    _, report = ingest(home, strict)
    result = only(report)
    assert result.status == "quarantined" and "cannot decode as ascii" in result.error


def test_mixed_date_formats_excel_serials_and_numbers_with_units(home, contracts):
    rows = [
        'O1,C1,R001,云平台,"1,234,500.50",2026-03-05,signed',
        "O2,C1,R001,云平台,12.5万,2026/3/6,已签约",
        "O3,C1,R001,云平台, ¥8800 ,46090,Signed",
        "O4,C1,R001,云平台,100,2026年3月8日,作废",
        "O5,C1,R001,云平台,100,20260309,Cancelled",
    ]
    land(home, "orders/o.csv", ORDER_HEADER + "\n".join(rows) + "\n")
    con, report = ingest(home, contracts)
    assert only(report).rows_loaded == 5
    got = con.execute("select order_id, amount, signed_date, status from raw.orders order by 1").fetchall()
    assert got == [
        ("O1", Decimal("1234500.50"), date(2026, 3, 5), "signed"),
        ("O2", Decimal("125000.00"), date(2026, 3, 6), "signed"),
        (
            "O3",
            Decimal("8800.00"),
            date(2026, 3, 9),
            "signed",
        ),  # Excel day 46090 (45658 = 2025-01-01)
        ("O4", Decimal("100.00"), date(2026, 3, 8), "cancelled"),
        ("O5", Decimal("100.00"), date(2026, 3, 9), "cancelled"),
    ]


def test_xlsx_with_real_date_cells_and_serial_numbers(home, contracts):
    path = home.landing_dir / "orders" / "订单 导出.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["订单编号", "客户编号", "签约人", "产品线", "合同金额", "签约日期", "订单状态"])
    sheet.write_row(1, 0, ["O1", "C1", "R001", "云平台", 1500.5])
    sheet.write_datetime(1, 5, datetime(2026, 3, 5), date_format)
    sheet.write(1, 6, "已签约")
    sheet.write_row(2, 0, ["O2", "C1", "R001", "云平台", "3万", 46090, "作废"])
    workbook.close()
    con, report = ingest(home, contracts)
    assert only(report).rows_loaded == 2
    got = con.execute("select order_id, amount, signed_date, status from raw.orders order by 1").fetchall()
    assert got == [
        ("O1", Decimal("1500.50"), date(2026, 3, 5), "signed"),
        ("O2", Decimal("30000.00"), date(2026, 3, 9), "cancelled"),
    ]


def test_bad_values_are_rejected_with_original_text_and_reason(home, contracts):
    rows = [
        "R001,张三,2026-03-05,2026-03-05 16:00,5,4,0,ok",
        "R002,李四,2026-03-05,2026-03-05 16:00,-3,4,0,negative",
        "R003,王五,2026-03-05,2026-03-05 16:00,很多,4,0,text",
        ",赵六,2026-03-05,2026-03-05 16:00,1,4,0,no rep",
        "R005,钱七,2026-02-30,2026-03-05 16:00,1,4,0,bad date",
    ]
    land(home, "daily_reports/d.csv", DAILY_HEADER + "\n".join(rows) + "\n")
    con, report = ingest(home, contracts)
    result = only(report)
    assert (result.status, result.rows_in_file, result.rows_loaded, result.rows_rejected) == (
        "partially_loaded",
        5,
        1,
        4,
    )
    rejects = con.execute(
        "select _row_number, visits, report_date, _reasons from raw.daily_reports__rejects order by 1"
    ).fetchall()
    assert rejects == [
        (2, "-3", "2026-03-05", "visits: '-3' is below the minimum 0"),
        (3, "很多", "2026-03-05", "visits: '很多' cannot be read as integer"),
        (4, "1", "2026-03-05", "rep_id: required value is empty"),
        (5, "1", "2026-02-30", "report_date: '2026-02-30' cannot be read as date"),
    ]


def test_duplicate_rows_inside_a_file_and_duplicate_keys(home, contracts):
    rows = [
        "O1,C1,R001,云平台,100,2026-03-01,signed",
        "O1,C1,R001,云平台,100,2026-03-01,signed",
        "O1,C1,R001,云平台,999,2026-03-01,signed",
    ]
    land(home, "orders/o.csv", ORDER_HEADER + "\n".join(rows) + "\n")
    con, report = ingest(home, contracts)
    result = only(report)
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    reasons = [
        r[0] for r in con.execute("select _reasons from raw.orders__rejects order by _row_number").fetchall()
    ]
    assert reasons == [
        "duplicate of row 1 in the same file",
        "duplicate key (order_id=O1) of row 1 in the same file",
    ]


def test_a_repeated_key_is_judged_against_the_first_good_row_of_its_file(home, contracts):
    """A rejected row does not own its key; a repeated row is reported as such, not as a
    repeated key; keys repeat only within a file (two files in one batch)."""
    rows = [
        "O1,C1,R001,云平台,100,2026-03-01,signed",  # 1: good, first O1
        "O1,C1,R001,云平台,abc,2026-03-01,signed",  # 2: bad amount, not a key repeat
        "O1,C1,R001,云平台,100,2026-03-01,signed",  # 3: same row as 1
        "O2,C1,R001,云平台,oops,2026-03-01,signed",  # 4: bad: O2 is not taken by it
        "O2,C1,R001,云平台,200,2026-03-01,signed",  # 5: first good O2
        " O2 ,C1,R001,云平台,250,2026-03-01,signed",  # 6: the same key once trimmed
        "O1,C1,R001,云平台,130,2026-03-01,signed",  # 7: repeats O1 of row 1
        "O3,C1,R001,云平台,300,2026-03-01,signed",  # 8: alone
    ]
    land(home, "orders/a.csv", ORDER_HEADER + "\n".join(rows) + "\n")
    land(home, "orders/b.csv", ORDER_HEADER + "O1,C1,R001,云平台,140,2026-03-02,signed\n")
    con, report = ingest(home, contracts)
    by_name = {r.file_name: r for r in report.files}
    assert (by_name["orders/a.csv"].rows_loaded, by_name["orders/a.csv"].rows_rejected) == (3, 5)
    assert by_name["orders/b.csv"].rows_loaded == 1
    loaded = con.execute(
        "select f.file_name, o._row_number, o.order_id, o.amount from raw.orders o "
        "join raw.ingested_files f on f.file_id = o._file_id order by 1, 2"
    ).fetchall()
    assert [(name, row, key, int(amount)) for name, row, key, amount in loaded] == [
        ("orders/a.csv", 1, "O1", 100),
        ("orders/a.csv", 5, "O2", 200),
        ("orders/a.csv", 8, "O3", 300),
        ("orders/b.csv", 1, "O1", 140),
    ]
    rejects = con.execute(
        "select _row_number, _reasons from raw.orders__rejects order by _row_number"
    ).fetchall()
    assert rejects == [
        (2, "amount: 'abc' cannot be read as decimal, or has more than 4 decimal places (kept exactly)"),
        (3, "duplicate of row 1 in the same file"),
        (4, "amount: 'oops' cannot be read as decimal, or has more than 4 decimal places (kept exactly)"),
        (6, "duplicate key (order_id=O2) of row 5 in the same file"),
        (7, "duplicate key (order_id=O1) of row 1 in the same file"),
    ]


def test_duplicate_submissions_of_a_report_are_both_kept(home, contracts):
    rows = [
        "R001,张三,2026-03-05,2026-03-05 15:00,5,4,0,first",
        "R001,张三,2026-03-05,2026-03-05 16:30,6,4,0,second",
    ]
    land(home, "daily_reports/d.csv", DAILY_HEADER + "\n".join(rows) + "\n")
    _con, report = ingest(home, contracts)
    assert only(report).rows_loaded == 2


def test_duplicate_keys_across_files_load_both_versions_in_order(home, contracts):
    first = land(home, "orders/2026-03-01.csv", ORDER_HEADER + "O1,C1,R001,云平台,100,2026-03-01,signed\n")
    second = land(
        home, "orders/2026-03-02 corrected.csv", ORDER_HEADER + "O1,C1,R001,云平台,120,2026-03-01,signed\n"
    )

    os.utime(first, (1_000_000, 1_000_000))
    os.utime(second, (2_000_000, 2_000_000))
    con, report = ingest(home, contracts)
    assert [r.status for r in report.files] == ["loaded", "loaded"]
    versions = con.execute("select amount, _file_id from raw.orders order by _file_id").fetchall()
    assert versions == [(Decimal("100.00"), 1), (Decimal("120.00"), 2)]


def test_file_cut_off_mid_row_keeps_the_complete_rows(home, contracts):
    land(home, "orders/cut.csv", ORDER_HEADER + "O1,C1,R001,云平台,100,2026-03-01,signed\nO2,C1,R001,云")
    con, report = ingest(home, contracts)
    result = only(report)
    assert (result.status, result.rows_in_file, result.rows_loaded, result.rows_rejected) == (
        "partially_loaded",
        2,
        1,
        1,
    )
    reason, line = con.execute("select _reasons, _extra->>'raw_line' from raw.orders__rejects").fetchone()
    assert reason == "row has 4 fields, the header has 7" and line == "O2,C1,R001,云"


def test_unterminated_quote_keeps_the_rows_before_it(home, contracts):
    land(home, "orders/q.csv", ORDER_HEADER + 'O1,C1,R001,云平台,100,2026-03-01,signed\nO2,C1,R001,"云平台,1')
    _, report = ingest(home, contracts)
    result = only(report)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)


def test_binary_file_named_csv_and_empty_xlsx_are_quarantined(home, contracts):
    land(home, "orders/image.csv", bytes(range(256)) * 10)
    land(home, "orders/empty.xlsx", b"")
    land(home, "orders/good.csv", ORDER_HEADER + "O1,C1,R001,云平台,100,2026-03-01,signed\n")
    _con, report = ingest(home, contracts)
    by_name = {r.file_name: r for r in report.files}
    assert by_name["orders/image.csv"].status == "quarantined"
    assert "binary" in by_name["orders/image.csv"].error
    assert by_name["orders/empty.xlsx"].status == "quarantined"
    assert by_name["orders/good.csv"].status == "loaded", "one bad file never blocks the others"


def test_awkward_file_names_stay_inside_the_data_home(home, contracts):
    names = ["orders/my orders 订单 (1).csv", "orders/..\\..\\evil.csv", "orders/...csv"]
    for n, name in enumerate(names):
        land(home, name, ORDER_HEADER + f"O{n},C1,R001,云平台,100,2026-03-01,signed\n")
    land(home, "orders/..bad.csv", b"")
    _con, report = ingest(home, contracts)
    assert sorted(r.file_name for r in report.files) == sorted([*names, "orders/..bad.csv"])
    assert sum(r.rows_loaded for r in report.files) == 3
    for path in home.home.rglob("*"):
        assert path.resolve().is_relative_to(home.home.resolve())
    quarantined = [p.name for p in home.quarantine_dir.rglob("*") if p.is_file()]
    assert all(".." not in name.split("__", 1)[1] for name in quarantined if "__" in name)


def test_formula_looking_cells_are_kept_as_plain_text(home, contracts):
    land(
        home,
        "daily_reports/d.csv",
        DAILY_HEADER + 'R001,张三,2026-03-05,2026-03-05 16:00,1,1,0,"=HYPERLINK(""http://x"",""y"")"\n',
    )
    con, _ = ingest(home, contracts)
    assert con.execute("select notes from raw.daily_reports").fetchone()[0] == '=HYPERLINK("http://x","y")'


def test_loose_file_kind_is_detected_from_headers(home, contracts):
    land(
        home,
        "export from crm.csv",
        "Payment ID,Receivable ID,Amount Received,Payment Date\nP1,RC1,100,2026-03-02\n",
    )
    land(home, "mystery.csv", "foo,bar\n1,2\n")
    _con, report = ingest(home, contracts)
    by_name = {r.file_name: r for r in report.files}
    assert by_name["export from crm.csv"].kind == "payments"
    assert by_name["export from crm.csv"].rows_loaded == 1
    assert by_name["mystery.csv"].status == "quarantined"
    assert "cannot tell which kind" in by_name["mystery.csv"].error


def test_timestamps_with_offsets_are_converted_to_business_time(home, contracts):
    land(home, "daily_reports/d.csv", DAILY_HEADER + "R001,张三,2026-03-05,2026-03-05T08:30:00Z,1,1,0,\n")
    con, _ = ingest(home, contracts)
    assert con.execute("select submitted_at from raw.daily_reports").fetchone()[0] == datetime(
        2026, 3, 5, 16, 30
    )


def test_registry_counts_add_up_and_match_the_tables(home, contracts):
    land(
        home,
        "orders/a.csv",
        ORDER_HEADER + "O1,C1,R001,云平台,100,2026-03-01,signed\nO2,C1,R001,云平台,x,2026-03-01,signed\n",
    )
    land(home, "daily_reports/d.csv", DAILY_HEADER + "R001,张三,2026-03-05,2026-03-05 16:00,1,1,0,\n")
    con, _ = ingest(home, contracts)
    bad = con.execute(
        "select count(*) from raw.ingested_files "
        "where status <> 'quarantined' and rows_in_file is not null "
        "and rows_loaded + rows_rejected <> rows_in_file"
    ).fetchone()[0]
    assert bad == 0
    assert (
        con.execute("select sum(rows_loaded) from raw.ingested_files where kind = 'orders'").fetchone()[0]
        == 1
    )
    assert con.execute("select count(*) from raw.orders").fetchone()[0] == 1
    assert con.execute("select count(*) from raw.orders__rejects").fetchone()[0] == 1


def test_small_files_load_in_one_batch_with_duplicates_checked_per_file(home, contracts):
    row = "O1,C1,R001,云平台,100,2026-03-01,signed\n"
    for day in range(1, 4):
        path = land(
            home,
            f"orders/2026-03-0{day}.csv",
            ORDER_HEADER + row + f"O{day}0,C1,R001,云平台,5,2026-03-01,signed\n",
        )
        os.utime(path, (1_000_000 + day, 1_000_000 + day))
    con, report = ingest(home, contracts)
    assert [(r.file_id, r.status, r.rows_loaded, r.rows_rejected) for r in report.files] == [
        (1, "loaded", 2, 0),
        (2, "loaded", 2, 0),
        (3, "loaded", 2, 0),
    ]
    assert con.execute("select count(*) from raw.orders where order_id = 'O1'").fetchone()[0] == 3


def test_a_batch_that_fails_is_retried_file_by_file(home, contracts, monkeypatch):
    for day in range(1, 4):
        path = land(
            home, f"orders/{day}.csv", ORDER_HEADER + f"O{day},C1,R001,云平台,100,2026-03-01,signed\n"
        )
        os.utime(path, (1_000_000 + day, 1_000_000 + day))
    original = Ingestor.load

    def flaky_load(self, batch):
        if any(p.path.name == "2.csv" for p in batch):
            raise RuntimeError("disk hiccup")
        return original(self, batch)

    monkeypatch.setattr(Ingestor, "load", flaky_load)
    con, report = ingest(home, contracts)
    by_name = {r.file_name: r for r in report.files}
    assert by_name["orders/1.csv"].status == "loaded" and by_name["orders/3.csv"].status == "loaded"
    assert by_name["orders/2.csv"].status == "quarantined"
    assert "internal error while loading: RuntimeError: disk hiccup" in by_name["orders/2.csv"].error
    assert sorted(con.execute("select order_id from raw.orders").fetchall()) == [("O1",), ("O3",)]
    registry = con.execute("select file_name, status from raw.ingested_files order by file_id").fetchall()
    assert registry == [
        ("orders/1.csv", "loaded"),
        ("orders/2.csv", "quarantined"),
        ("orders/3.csv", "loaded"),
    ]
