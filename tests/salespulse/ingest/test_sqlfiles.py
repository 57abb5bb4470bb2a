"""The ingest's SQL files: templates take identifiers in named slots, values as bound parameters."""

import duckdb
import pytest

from salespulse.ingest.sqlfiles import SQL_DIR, ident, idents, render, sql_text


def test_every_slot_must_be_filled_and_nothing_else():
    with pytest.raises(ValueError, match="missing"):
        render("load_ragged_rows")
    with pytest.raises(ValueError, match="given"):
        render("load_ragged_rows", rejects_table="raw.x", other="y")
    sql = render("load_ragged_rows", rejects_table=f"raw.{ident('orders__rejects')}")
    assert 'insert into raw."orders__rejects"' in sql
    assert "{" not in sql


def test_identifiers_are_quoted():
    assert ident('a"b') == '"a""b"'
    assert idents(["x", "y z"]) == '"x", "y z"'


def test_plain_files_have_no_slots():
    """Files run as they are (bound parameters only) must not carry a slot by mistake."""
    plain = (
        "registered_contents",
        "register_file",
        "supersede_file",
        "reprocess_files",
        "landing_file_registered",
        "batch_counts",
        "batch_reasons",
    )
    for name in plain:
        assert render(name) == sql_text(name)
    assert {path.stem for path in SQL_DIR.glob("*.sql")} >= set(plain)


def test_registry_statements_bind_by_name():
    con = duckdb.connect()
    con.execute("create schema raw")
    from salespulse.ingest.schema import REGISTRY_DDL

    con.execute(REGISTRY_DDL)
    con.execute(
        "insert into raw.ingested_files (file_id, file_name, sha256, size_bytes, landed_at, status, "
        "landing_mtime_ns) values (1, 'a.csv', 'x', 1, now()::timestamp, 'loaded', 7)"
    )
    assert con.execute(
        sql_text("landing_file_registered"), {"file_name": "a.csv", "mtime_ns": 7}
    ).fetchone() == (1,)
    con.execute(sql_text("supersede_file"), {"superseded_id": 2, "file_id": 1})
    assert con.execute(sql_text("reprocess_files"), {"file_ids": [2]}).fetchall()[0][5] == "superseded"
