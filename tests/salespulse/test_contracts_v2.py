"""Contract language v2 (SPEC §6): a real CRM's export goes in with a contract override only,
and a misread file is refused or its rows rejected with a reason, never loaded wrong."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from salespulse.cli import main
from salespulse.config import PROJECT_ROOT
from salespulse.contracts import ContractError, load_contracts, normalize_header
from salespulse.ingest.loader import Ingestor
from salespulse.ingest.reprocess import reprocess_with

MODELS = PROJECT_ROOT / "models"
ORDERS = "order_id,customer_id,owner_rep_id,product_line,amount,signed_date,status\n"


def land(settings, relative: str, content: bytes | str, encoding: str = "utf-8") -> Path:
    path = settings.landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def override(settings, kind: str, text: str) -> None:
    folder = settings.contract_overrides_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{kind}.yaml").write_text(text, encoding="utf-8")


def contracts_of(settings):
    return load_contracts(MODELS, settings.contract_overrides_dir)


def ingest(settings, contracts=None):
    con = duckdb.connect(str(settings.warehouse_path))
    report = Ingestor(con, settings, contracts or contracts_of(settings), now=datetime(2026, 3, 10, 18)).run()
    return con, report


def only(report):
    assert len(report.files) == 1, [(r.file_name, r.status) for r in report.files]
    return report.files[0]


# --- dates -------------------------------------------------------------------------------------


def test_dates_whose_day_month_order_the_file_does_not_tell_are_refused(home):
    land(
        home,
        "orders/us.csv",
        ORDERS + "O1,C1,R1,saas,100,03/05/2026,signed\nO2,C1,R1,saas,100,04/06/2026,signed\n",
    )
    con, report = ingest(home)
    result = only(report)
    assert result.status == "quarantined"
    assert "'signed_date'" in result.error and "formats:" in result.error and "03/05/2026" in result.error
    assert con.execute("select count(*) from raw.orders").fetchone()[0] == 0


def test_a_file_that_shows_its_day_month_order_is_read_in_that_order(home):
    land(
        home,
        "orders/eu.csv",
        ORDERS + "O1,C1,R1,saas,100,03/05/2026,signed\nO2,C1,R1,saas,100,13/05/2026,signed\n",
    )
    con, report = ingest(home)
    assert only(report).status == "loaded"
    dates = con.execute("select signed_date from raw.orders order by order_id").fetchall()
    assert dates == [(date(2026, 5, 3),), (date(2026, 5, 13),)]


def test_two_digit_years_need_formats_and_load_with_them(home):
    content = ORDERS + "O1,C1,R1,saas,100,11-08-16,signed\nO2,C1,R1,saas,100,1/8/2016,signed\n"
    land(home, "orders/lines.csv", content)
    con, report = ingest(home)
    assert only(report).status == "quarantined" and "two-digit year" in only(report).error
    con.close()
    override(home, "orders", "columns:\n  signed_date:\n    formats: ['%m-%d-%y', '%m/%d/%Y']\n")
    land(home, "orders/lines again.csv", content + "O3,C1,R1,saas,100,2016-11-09,signed\n")
    con, report = ingest(home)
    assert only(report).status == "loaded"
    dates = con.execute("select order_id, signed_date from raw.orders order by order_id").fetchall()
    assert dates == [("O1", date(2016, 11, 8)), ("O2", date(2016, 1, 8)), ("O3", date(2016, 11, 9))]


def test_a_date_outside_the_bounds_rejects_the_row_with_a_reason(home):
    land(
        home,
        "orders/o.csv",
        ORDERS + "O1,C1,R1,saas,100,0011-08-16,signed\nO2,C1,R1,saas,100,2026-03-01,signed\n",
    )
    con, report = ingest(home)
    result = only(report)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("partially_loaded", 1, 1)
    reason = con.execute("select _reasons from raw.orders__rejects").fetchone()[0]
    assert "signed_date: '0011-08-16' is before 1990-01-01" in reason


def test_date_bounds_from_the_contract(home):
    override(home, "orders", "columns:\n  signed_date:\n    min: 2026-01-01\n    max: +1m\n")
    land(
        home,
        "orders/o.csv",
        ORDERS + "O1,C1,R1,saas,100,2025-12-31,signed\nO2,C1,R1,saas,100,2099-01-01,signed\n",
    )
    con, report = ingest(home)
    assert only(report).status == "rejected"  # no row loaded
    reasons = [
        r[0] for r in con.execute("select _reasons from raw.orders__rejects order by _row_number").fetchall()
    ]
    assert "before 2026-01-01" in reasons[0] and "is after" in reasons[1]


# --- amounts -----------------------------------------------------------------------------------


def test_currency_marks_parenthesised_negatives_and_source_precision(home):
    override(home, "payments", "columns:\n  amount:\n    min: -1000000\n")
    land(
        home,
        "payments/p.csv",
        "payment_id,order_id,amount,received_date\n"
        "P1,O1,$261.96 ,2026-03-05\n"
        'P2,O1,"(1,234.00)",2026-03-05\n'
        "P3,O1,US$ 1234.5678,2026-03-05\n"
        "P4,O1,¥12.3万,2026-03-05\n"
        "P5,O1,1.23456,2026-03-05\n",
    )
    con, report = ingest(home)
    assert (only(report).rows_loaded, only(report).rows_rejected) == (4, 1)
    amounts = dict(con.execute("select payment_id, amount from raw.payments").fetchall())
    assert amounts == {
        "P1": Decimal("261.96"),
        "P2": Decimal("-1234.00"),
        "P3": Decimal("1234.5678"),
        "P4": Decimal("123000"),
    }
    reason = con.execute("select _reasons from raw.payments__rejects").fetchone()[0]
    assert "'1.23456'" in reason and "more than 4 decimal places" in reason


def test_decimal_comma_and_semicolons(home):
    override(home, "receivables", "decimal_separator: ','\n")
    land(
        home,
        "receivables/r.csv",
        "receivable_id;order_id;amount;due_date\nRC1;O1;1.234,50;2026-03-31\nRC2;O1;7,25;2026-04-30\n",
    )
    con, report = ingest(home)
    assert only(report).status == "loaded"
    assert con.execute("select sum(amount) from raw.receivables").fetchone()[0] == Decimal("1241.75")


# --- headers: precedence, copy_of, default -------------------------------------------------------


def test_an_override_alias_wins_over_a_shipped_alias_and_the_move_is_printed(home, capsys):
    override(home, "opportunities", "columns:\n  closed_at:\n    aliases: [close_date]\n")
    opportunities = contracts_of(home)["opportunities"]
    assert opportunities.header_lookup()[normalize_header("close_date")] == "closed_at"
    assert "Close Date" not in opportunities.column("expected_close_date").aliases
    assert [(m.alias, m.from_column, m.to_column) for m in opportunities.alias_moves] == [
        ("close_date", "expected_close_date", "closed_at")
    ]
    assert main(["contracts"]) == 0
    out = capsys.readouterr().out
    assert "alias 'close_date' moved from column expected_close_date to closed_at" in out
    assert "override applied" in out


def test_an_override_cannot_take_a_canonical_name_or_give_one_alias_twice(home):
    override(home, "opportunities", "columns:\n  stage:\n    aliases: [status]\n")
    with pytest.raises(ContractError, match="canonical name of column 'status'"):
        contracts_of(home)
    override(
        home, "opportunities", "columns:\n  stage:\n    aliases: [Phase]\n  status:\n    aliases: [phase]\n"
    )
    with pytest.raises(ContractError, match="also given to 'stage'"):
        contracts_of(home)


def test_copy_of_reads_one_header_into_two_columns_and_default_fills_a_missing_column(home):
    override(
        home,
        "opportunities",
        "columns:\n"
        "  snapshot_date:\n    default: $file_date\n"
        "  stage:\n    aliases: [deal_stage]\n    value_aliases:\n      initial_contact: [Engaging]\n"
        "  status:\n    copy_of: stage\n    value_aliases:\n      open: [Engaging]\n",
    )
    land(
        home,
        "opportunities/export_2026-02-28.csv",
        "opportunity_id,customer_id,owner_rep_id,product_line,deal_stage,amount,created_at\n"
        "OP1,C1,R1,saas,Engaging,100,2026-01-05\n"
        "OP2,C1,R1,saas,Won,200,2026-01-06\n",
    )
    con, report = ingest(home)
    result = only(report)
    assert result.status == "loaded"
    assert "snapshot_date=$file_date" in "; ".join(result.warnings)
    rows = con.execute(
        "select opportunity_id, snapshot_date, stage, status from raw.opportunities order by 1"
    ).fetchall()
    assert rows == [
        ("OP1", date(2026, 2, 28), "initial_contact", "open"),
        ("OP2", date(2026, 2, 28), "won", "won"),
    ]
    assert con.execute("select file_date from raw.ingested_files").fetchone()[0] == date(2026, 2, 28)


def test_copy_of_a_column_that_does_not_exist_is_a_contract_error(home):
    override(home, "opportunities", "columns:\n  status:\n    copy_of: deal_stage\n")
    with pytest.raises(ContractError) as caught:
        contracts_of(home)
    assert "opportunities.yaml" in str(caught.value) and "status.copy_of" in str(caught.value)


def test_a_constant_default_on_a_key_column_is_a_contract_error(home):
    override(home, "opportunities", "columns:\n  snapshot_date:\n    default: 2026-01-01\n")
    with pytest.raises(
        ContractError, match=r"columns\.snapshot_date\.default: a constant default on key column"
    ):
        contracts_of(home)


def test_allow_duplicate_keys_is_refused_where_staging_keeps_one_row_per_key(home):
    override(home, "orders", "allow_duplicate_keys: true\n")
    with pytest.raises(ContractError) as caught:
        contracts_of(home)
    assert "orders.yaml: allow_duplicate_keys" in str(caught.value) and "line_id" in str(caught.value)


# --- files: sheets, header rows, encodings ------------------------------------------------------


def _xls_roster() -> bytes:
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("说明").write(0, 0, "名单在第二页")
    sheet = book.add_sheet("销售人员")
    sheet.write(0, 0, "销售团队名单 2026")
    header = ["工号", "姓名", "所属团队", "大区", "入职日期", "任职开始"]
    for j, value in enumerate(header):
        sheet.write(1, j, value)
    for j, value in enumerate(["R1", "张三", "T1", "华东", "2025-01-06", "2025-01-06"]):
        sheet.write(2, j, value)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_an_xls_roster_on_the_second_sheet_under_a_title_row(home):
    override(
        home,
        "roster",
        "sheet: 销售人员\nheader_row: 2\ncolumns:\n  effective_from:\n    aliases: [任职开始]\n"
        "  role:\n    default: rep\n",
    )
    land(home, "roster/名单.xls", _xls_roster())
    con, report = ingest(home)
    result = only(report)
    assert result.status == "loaded", result.error
    assert con.execute("select rep_id, name, role, effective_from from raw.roster").fetchall() == [
        ("R1", "张三", "rep", date(2025, 1, 6))
    ]


def test_a_missing_sheet_names_the_sheets_there_are(home):
    override(home, "roster", "sheet: 3\n")
    land(home, "roster/名单.xls", _xls_roster())
    _, report = ingest(home)
    assert only(report).status == "quarantined"
    assert "sheet 3" in only(report).error and "'销售人员'" in only(report).error


@pytest.mark.parametrize(
    ("name", "payload", "encoding"),
    [
        (
            "utf16.txt",
            "payment_id\tamount\torder_id\treceived_date\r\nP1\t100\tO1\t2026-03-05\r\n".encode("utf-16"),
            "utf-16",
        ),
        (
            "cp1252.csv",
            "payment_id,order_id,amount,received_date,Bemerkung\nP1,O1,100,2026-03-05,Müller café\n".encode(
                "cp1252"
            ),
            "cp1252",
        ),
        ("cr.csv", b"payment_id,order_id,amount,received_date\rP1,O1,100,2026-03-05\r", "utf-8"),
        (
            "fffd.csv",
            "payment_id,order_id,amount,received_date,note\nP1,O1,100,2026-03-05,bad \ufffd char\n".encode(),
            "utf-8",
        ),
    ],
)
def test_exports_in_utf16_cp1252_with_cr_line_ends_or_replacement_characters(home, name, payload, encoding):
    land(home, f"payments/{name}", payload)
    con, report = ingest(home)
    result = only(report)
    assert (result.status, result.encoding, result.rows_loaded) == ("loaded", encoding, 1), result.error
    assert con.execute("select amount from raw.payments").fetchone()[0] == Decimal("100")


def test_gbk_chinese_is_still_gbk(home):
    land(
        home,
        "payments/gbk.csv",
        "回款编号,订单编号,金额,到账日期,备注\nP1,O1,100,2026-03-05,客户已付清尾款\n",
        "gbk",
    )
    _, report = ingest(home)
    assert only(report).encoding == "gb18030"


# --- reprocess and schema changes ---------------------------------------------------------------


def test_a_quarantined_file_loads_after_the_contract_is_fixed_with_reprocess(home, capsys):
    export = ORDERS.replace("order_id", "Order No") + "O1,C1,R1,saas,100,2026-03-01,signed\n"
    land(home, "orders/crm.csv", export)
    con, report = ingest(home)
    file_id = only(report).file_id
    assert only(report).status == "quarantined"
    con.close()
    land(home, "orders/crm again.csv", export)  # the same bytes again: a duplicate that says what to do
    con, report = ingest(home)
    assert only(report).status == "duplicate" and f"salespulse reprocess {file_id}" in only(report).error
    con.close()
    override(home, "orders", "columns:\n  order_id:\n    aliases: [Order No]\n")
    assert main(["reprocess", "--quarantined"]) == 0
    assert "loaded=1" in capsys.readouterr().out
    con = duckdb.connect(str(home.warehouse_path))
    assert con.execute("select order_id, _file_id from raw.orders").fetchall() == [("O1", file_id)]
    statuses = con.execute(
        "select file_id, status, superseded_by from raw.ingested_files order by file_id"
    ).fetchall()
    assert statuses[0] == (file_id, "loaded", None)
    assert "quarantined" not in {s for _, s, _ in statuses}
    assert [(s, by) for _, s, by in statuses if s == "superseded"] == [("superseded", file_id)]
    assert not list(home.quarantine_dir.rglob("*crm.csv")), "no longer quarantined"


def test_reprocess_of_a_file_whose_kind_changed_moves_its_rows(home):
    # Loose, with headers no contract knows: quarantined as of no kind.
    land(
        home,
        "export.csv",
        "Deal No,Client,Seller,Line,Total,Signed,State\nO1,C1,R1,saas,100,2026-03-01,signed\n",
    )
    con, report = ingest(home)
    assert only(report).status == "quarantined" and only(report).kind is None
    override(
        home,
        "orders",
        "columns:\n  order_id: {aliases: [Deal No]}\n  customer_id: {aliases: [Client]}\n"
        "  owner_rep_id: {aliases: [Seller]}\n  product_line: {aliases: [Line]}\n"
        "  amount: {aliases: [Total]}\n"
        "  signed_date: {aliases: [Signed]}\n  status: {aliases: [State]}\n",
    )
    result = only(reprocess_with(con, home, contracts_of(home), quarantined=True))
    assert (result.status, result.kind) == ("loaded", "orders")
    assert con.execute("select kind, status from raw.ingested_files where file_id = 1").fetchone() == (
        "orders",
        "loaded",
    )
    # Reprocessing again replaces the rows, it does not add to them.
    reprocess_with(con, home, contracts_of(home), kind="orders")
    assert con.execute("select count(*) from raw.orders").fetchone()[0] == 1
    assert (
        con.execute("select count(*) from raw.ingested_files where status = 'superseded'").fetchone()[0] == 2
    )


def test_a_contract_that_adds_a_column_on_a_home_with_data(home):
    land(home, "orders/1.csv", ORDERS.replace("\n", ",渠道\n") + "O1,C1,R1,saas,100,2026-03-01,signed,线上\n")
    con, _ = ingest(home)
    con.close()
    override(home, "orders", "columns:\n  channel:\n    type: string\n    aliases: [渠道]\n")
    land(home, "orders/2.csv", ORDERS.replace("\n", ",渠道\n") + "O2,C1,R1,saas,100,2026-03-02,signed,线下\n")
    con, report = ingest(home)
    assert only(report).status == "loaded", only(report).error
    assert con.execute("select order_id, channel from raw.orders order by 1").fetchall() == [
        ("O1", None),
        ("O2", "线下"),
    ]
    reprocess_with(con, home, contracts_of(home), file_ids=[1])
    assert con.execute("select order_id, channel from raw.orders order by 1").fetchall() == [
        ("O1", "线上"),
        ("O2", "线下"),
    ]


def test_amounts_of_an_existing_home_are_widened_to_source_precision(home):
    con = duckdb.connect(str(home.warehouse_path))
    con.execute("create schema raw")
    con.execute(
        "create table raw.payments (payment_id varchar, receivable_id varchar, order_id varchar, "
        "amount decimal(18, 2), received_date date, _extra json, _file_id bigint not null, "
        "_row_number bigint not null, _loaded_at timestamp not null)"
    )
    con.close()
    land(home, "payments/p.csv", "payment_id,order_id,amount,received_date\nP1,O1,0.0125,2026-03-05\n")
    con, report = ingest(home)
    assert only(report).status == "loaded"
    assert con.execute("select amount from raw.payments").fetchone()[0] == Decimal("0.0125")


# --- validate as a profile ---------------------------------------------------------------------


def test_validate_profiles_a_file_before_loading_it(home, capsys, tmp_path):
    override(
        home,
        "opportunities",
        "columns:\n  snapshot_date:\n    default: $file_date\n  stage:\n    aliases: [deal_stage]\n"
        "  status:\n    copy_of: stage\n  closed_at:\n    aliases: [close_date]\n"
        "  customer_id:\n    aliases: [account]\n",
    )
    path = tmp_path / "deals_2026-03-01.csv"
    path.write_text(
        "opportunity_id,account,Owner,Product,deal_stage,amount,created_at,close_date\n"
        "OP1,C1,R1,saas,Won,100.5,2026-01-05,2026-02-03 10:00:00\n"
        "OP2,C2,R1,saas,Lost,200,2026-01-06,2026-02-04 10:00:00\n",
        encoding="utf-8",
    )
    assert main(["validate", str(path), "--kind", "opportunities"]) == 0
    out = capsys.readouterr().out
    assert "snapshot_date          <- -" in out and "default $file_date" in out
    assert "status                 <- 'deal_stage'" in out and "copy_of stage" in out
    assert "closed_at              <- 'close_date'" in out and "override alias" in out
    assert "customer_id            <- 'account'" in out
    assert "owner_rep_id           <- 'Owner'" in out and "shipped alias" in out
    assert "opportunity_id         <- 'opportunity_id'" in out and "canonical name" in out
    assert "2 in file, 2 ok, 0 would be rejected; 2 distinct keys" in out
    assert "amount                 sum 300.5000 over 2 rows" in out
    assert "closed_at              2026-02-03 10:00:00 .. 2026-02-04 10:00:00" in out
    assert not home.warehouse_path.exists()


def test_validate_refuses_ambiguous_dates_and_names_the_fix(home, capsys, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS + "O1,C1,R1,saas,100,03/05/2026,signed\n", encoding="utf-8")
    assert main(["validate", str(path), "--kind", "orders"]) == 1
    out = capsys.readouterr().out
    assert "CANNOT LOAD" in out and "formats:" in out and "Traceback" not in out
