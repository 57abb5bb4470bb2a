"""salespulse.marts, the one way the briefs and checks read the marts (issue #15, item 5): the
same statements, parameters, errors and frame types from each engine. The engines themselves
are compared on a whole org in tests/salespulse/engines/test_engine_{postgres,spark}.py; this
checks the layer's own rules with no server."""

from __future__ import annotations

import socket

import duckdb
import pytest

from salespulse.config import get_settings
from salespulse.marts import (
    DuckDBMarts,
    MartsError,
    MartsSource,
    MissingRelation,
    PostgresMarts,
    as_duckdb_frame,
)

ROWS = "select i, i * 1.25::decimal(18, 2) as amount, date '2026-01-01' + i::int as day from range(5000) t(i)"


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(f"create table marts.numbers as {ROWS}")
    return path


def test_duckdb_reads_by_name_and_position_and_names_a_missing_table(warehouse):
    with MartsSource.duckdb(warehouse).open() as marts:
        assert marts.execute("select count(*) from marts.numbers where i < $top", {"top": 10}).scalar() == 10
        assert marts.execute("select count(*) from marts.numbers where i < ?", [20]).scalar() == 20
        assert marts.records("select i from marts.numbers where i = 3") == [{"i": 3}]
        with pytest.raises(MissingRelation, match="nowhere"):
            marts.execute("select * from marts.nowhere")
        with pytest.raises(duckdb.InvalidInputException):  # read-only: briefs never write
            marts.execute("create table marts.other as select 1")


def test_frames_come_in_chunks_and_an_empty_result_is_one_empty_frame(warehouse):
    with MartsSource.duckdb(warehouse).open() as marts:
        chunks = list(marts.frames("select * from marts.numbers order by i", chunk_rows=2048))
        assert [len(chunk) for chunk in chunks] == [2048, 2048, 904]
        assert chunks[2]["i"].iloc[-1] == 4999
        empty = list(marts.frames("select * from marts.numbers where i < 0"))
        assert len(empty) == 1 and empty[0].empty and list(empty[0].columns) == ["i", "amount", "day"]


def test_rows_from_another_engine_make_duckdbs_frame_types(warehouse):
    with MartsSource.duckdb(warehouse).open() as marts:
        native = marts.frame("select * from marts.numbers order by i")
        result = marts.execute("select * from marts.numbers order by i")
    rebuilt = as_duckdb_frame(result.columns, result.rows)  # Decimal and date, as psycopg2 gives them
    assert dict(rebuilt.dtypes) == dict(native.dtypes)
    assert rebuilt.equals(native)


def test_spark_tables_are_read_from_their_warehouse_folder(tmp_path):
    folder = tmp_path / "spark" / "warehouse"
    table = folder / "marts.db" / "numbers"
    table.mkdir(parents=True)
    (table / "_temporary").mkdir()  # a job still writing: its files are not the table's yet
    with duckdb.connect() as con:
        con.execute(f"copy ({ROWS} where i < 100) to '{table}/part-00000.parquet' (format parquet)")
        con.execute(f"copy ({ROWS} where i >= 100) to '{table}/part-00001.parquet' (format parquet)")
        con.execute(f"copy ({ROWS}) to '{table}/_temporary/part-00002.parquet' (format parquet)")
    with MartsSource.spark(folder).open() as marts:
        assert marts.engine == "spark"
        assert marts.execute("select count(*), sum(amount) from marts.numbers").rows == [
            (5000, sum(i * 1.25 for i in range(5000)))
        ]
        listed = marts.execute(
            "select table_schema, table_name from information_schema.tables where table_name = ?", ["numbers"]
        ).rows
        assert listed == [("marts", "numbers")]
        with pytest.raises(MissingRelation, match="salespulse dbt build --target spark"):
            marts.execute("select * from marts.nowhere")
    with pytest.raises(MartsError, match="SALESPULSE_SPARK_HOME"):
        MartsSource.spark(tmp_path / "none").open().__enter__()
    (folder / "marts.db" / "partitioned" / "day=2026-01-01").mkdir(parents=True)
    with pytest.raises(MartsError, match="partitioned"):
        MartsSource.spark(folder).open().__enter__()


def test_postgres_markers_are_psycopg2s():
    assert PostgresMarts.translate("select $a, $a_b from t where x like '%z'", {"a": 1, "a_b": 2}) == (
        "select %(a)s, %(a_b)s from t where x like '%%z'",
        {"a": 1, "a_b": 2},
    )
    assert PostgresMarts.translate("select ? where ? > 1", (1, 2)) == ("select %s where %s > 1", [1, 2])
    assert PostgresMarts.translate("select '%'", None) == ("select '%'", None)


def test_an_unreachable_postgres_is_named():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
        source = MartsSource.postgres(
            {"host": "127.0.0.1", "port": closed, "user": "u", "dbname": "marts_db"}
        )
        with pytest.raises(MartsError, match=f"127.0.0.1:{closed}/marts_db.*SALESPULSE_PG_"):
            source.open().__enter__()


def test_the_engine_is_one_setting(home, monkeypatch, tmp_path):
    assert MartsSource.from_settings(home) == MartsSource.duckdb(home.warehouse_path)
    monkeypatch.setenv("SALESPULSE_MARTS_ENGINE", "spark")
    get_settings.cache_clear()
    assert MartsSource.from_settings(get_settings()) == MartsSource.spark(home.home / "spark" / "warehouse")
    monkeypatch.setenv("SALESPULSE_SPARK_HOME", str(tmp_path / "elsewhere"))
    get_settings.cache_clear()
    assert MartsSource.from_settings(get_settings()).location == str(tmp_path / "elsewhere" / "warehouse")
    monkeypatch.setenv("SALESPULSE_MARTS_ENGINE", "postgres")
    monkeypatch.setenv("SALESPULSE_PG_PORT", "6543")
    monkeypatch.setenv("SALESPULSE_PG_DB", "sales")
    get_settings.cache_clear()
    source = MartsSource.from_settings(get_settings())
    assert source.engine == "postgres" and source.describe() == "postgres 127.0.0.1:6543/sales"
    monkeypatch.setenv("SALESPULSE_MARTS_ENGINE", "oracle")
    get_settings.cache_clear()
    with pytest.raises(ValueError, match="SALESPULSE_MARTS_ENGINE must be one of duckdb, postgres, spark"):
        get_settings()
    get_settings.cache_clear()


def test_a_duckdb_connection_the_pipeline_holds_is_read_the_same_way(warehouse):
    with duckdb.connect(str(warehouse)) as con:
        marts = DuckDBMarts(con)
        assert marts.execute("select max(i) from marts.numbers").scalar() == 4999
        marts.close()  # not its connection: left open
        assert con.execute("select 1").fetchone() == (1,)
