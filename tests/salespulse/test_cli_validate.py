"""`salespulse validate FILE`: what a user runs while adding a new CRM export format."""

from __future__ import annotations

import json

from salespulse.cli import main


def test_validate_reports_kind_mapping_encoding_rows_and_problems(home, capsys, tmp_path):
    path = tmp_path / "crm export.csv"
    path.write_bytes(
        (
            "订单编号,客户编号,签约人,产品线,合同金额,签约日期,订单状态,渠道\n"
            'O1,C1,R001,云平台,"1,000",2026-03-05,已签约,线上\n'
            "O2,C1,R001,云平台,abc,2026-03-05,已签约,线上\n"
            "O3,C1,R001,云平台,100,2026-03-05,退款,线上\n"
        ).encode("gbk")
    )
    code = main(["validate", str(path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "kind:      orders (from headers)" in out
    assert "encoding:  gb18030" in out
    assert "amount                 <- '合同金额'" in out and "shipped alias" in out
    assert "unknown columns (ignored): 渠道" in out
    assert "3 in file, 1 ok, 2 would be rejected; 1 distinct keys" in out
    assert "amount                 sum 1000.0000 over 1 rows" in out
    assert "signed_date            2026-03-05 .. 2026-03-05" in out
    assert "row 2 [amount]: amount: 'abc' cannot be read as decimal" in out
    assert "row 3 [status]: status: '退款' is not an allowed value" in out
    assert home.warehouse_path.exists() is False, "validate loads nothing"


def test_validate_json_and_missing_column(home, capsys, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,owner_rep_id,product_line,signed_date,status\n", encoding="utf-8")
    code = main(["validate", str(path), "--kind", "orders", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and result["ok"] is False
    assert "missing required column 'amount'" in result["fatal"]
    assert result["missing_required"] == ["amount"]


def test_validate_a_clean_file(home, capsys, tmp_path):
    path = tmp_path / "pay.csv"
    path.write_text("payment_id,order_id,amount,received_date\nP1,O1,100,2026-03-05\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("OK")
