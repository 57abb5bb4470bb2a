"""The dbt project on PostgreSQL (issue #15, item 2): one ingest into DuckDB, its raw Parquet
mirror loaded into a throwaway Postgres by `salespulse load-postgres`, `dbt build` there with the
`postgres` target (every model and data test), and every staging, intermediate and marts relation
equal to DuckDB's: rows sorted, columns matched by name, money to the cent, other numbers to 1e-9
relative. The engine-specific SQL is in `dbt_project/macros/engine/` (adapter.dispatch).
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
import math
import os
import socket
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_support import ROOT, build_generated_org, run_dbt
from postgres_server import PG_PASSWORD, PG_USER, TempPostgres

from salespulse.engines.postgres import PostgresLoadError, load_raw, postgres_type
from salespulse.ingest.parquet import sync_raw_parquet

pytestmark = pytest.mark.xdist_group("engine_postgres")

AS_OF = date(2026, 3, 31)
PG_DB = "salespulse_warehouse"
BIN = Path(sys.executable).parent
LAYERS = ("staging", "intermediate", "marts")
# Row hashes of the incremental fingerprints: each engine its own hash function.
ENGINE_SPECIFIC = {"state_hash", "fingerprint"}
CENT = decimal.Decimal("0.01")


@pytest.fixture(scope="module")
def engines(tmp_path_factory):
    """(DuckDB warehouse, Postgres server, its env): the same organisation built in both."""
    tmp = tmp_path_factory.mktemp("engines")
    # The other CRM's export style: English headers, its own date formats, rejects with reasons.
    duck = build_generated_org(
        tmp,
        seed=5,
        as_of=AS_OF,
        reps=6,
        months=3,
        style="other-crm",
        overrides=ROOT / "models" / "examples" / "other-crm",
    )
    with duckdb.connect(str(duck)) as con:
        sync_raw_parquet(con, tmp / "raw_parquet")
    server = TempPostgres()
    try:
        server.start()
        server.create_database(PG_DB)
        env = {
            **os.environ,
            "SALESPULSE_PG_HOST": "127.0.0.1",
            "SALESPULSE_PG_PORT": str(server.port),
            "SALESPULSE_PG_USER": PG_USER,
            "SALESPULSE_PG_PASSWORD": PG_PASSWORD,
            "SALESPULSE_PG_DB": PG_DB,
        }
        loaded = subprocess.run(
            [str(BIN / "salespulse"), "load-postgres", "--from", str(tmp / "raw_parquet")],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                if name.startswith("SALESPULSE_PG_"):
                    patch.setenv(name, value)
            args = ("build", "--exclude-resource-type", "unit_test", "--target", "postgres")
            built = run_dbt(tmp / "pg-dbt", duck, {"as_of_date": AS_OF.isoformat()}, args)
        assert built.returncode == 0, built.stdout[-6000:] + built.stderr[-2000:]
        yield duck, server, env, tmp / "raw_parquet", loaded.stdout
    finally:
        server.stop()


def _canonical(value):
    """A value as both engines should agree on it: money (decimals) to the cent, other numbers to
    9 significant digits (DuckDB divides in double, Postgres in numeric where the operands are)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, decimal.Decimal) and value == value.quantize(decimal.Decimal("0.0001")):
        return ("money", value.quantize(CENT, rounding=decimal.ROUND_HALF_UP))
    if isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        return ("number", None if math.isnan(number) else float(f"{number:.9e}"))
    if isinstance(value, datetime.datetime):
        return ("timestamp", value.replace(tzinfo=None))
    if isinstance(value, (dict, list)):
        return ("json", json.dumps(value, sort_keys=True))
    return (type(value).__name__, value)


def _sorted_rows(rows, columns: list[str], compared: list[str]) -> list[tuple]:
    positions = [columns.index(name) for name in compared]
    canonical = [tuple(_canonical(row[i]) for i in positions) for row in rows]
    return sorted(canonical, key=lambda row: tuple((v is None, repr(v)) for v in row))


def _relations(con, schema: str) -> list[str]:
    listing = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
    )
    return [row[0] for row in listing.fetchall()]


def test_load_postgres_copies_every_raw_table_and_is_repeatable(engines):
    duck, server, _, mirror, said = engines
    with duckdb.connect(str(duck), read_only=True) as con:
        counts = {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in _relations(con, "raw")
        }
    assert sum(counts.values()) > 2000 and counts["daily_reports__rejects"] > 0
    assert f"loaded {len(counts)} raw tables, {sum(counts.values()):,} rows" in said

    def pg_counts():
        return {t: server.query(PG_DB, f'select count(*) from raw."{t}"')[0][0] for t in counts}

    assert pg_counts() == counts
    again = load_raw(mirror, _connect_args(server))
    assert again.tables == counts and again.columns_added == []
    assert pg_counts() == counts, "a second load replaces the rows, it does not add them"


def test_a_column_the_mirror_gained_is_added_and_a_bad_folder_is_named(engines, tmp_path):
    _, server, _, mirror, _ = engines
    extra = tmp_path / "mirror"
    extra.mkdir()
    (extra / "work_calendar" / "_whole").mkdir(parents=True)
    with duckdb.connect() as con:
        source = mirror / "work_calendar" / "_whole" / "work_calendar.parquet"
        target = extra / "work_calendar" / "_whole" / "work_calendar.parquet"
        con.execute(f"copy (select *, 'note' as remark from '{source}') to '{target}' (format parquet)")
    loaded = load_raw(extra, _connect_args(server))
    assert loaded.columns_added == ["work_calendar.remark"]
    assert server.query(PG_DB, "select distinct remark from raw.work_calendar") == [("note",)]
    load_raw(mirror, _connect_args(server))  # back to the organisation's calendar, remark null
    with pytest.raises(PostgresLoadError, match="SALESPULSE_RAW_PARQUET=1"):
        load_raw(tmp_path / "nowhere", _connect_args(server))
    with pytest.raises(PostgresLoadError, match="no Postgres type is set for DuckDB's HUGEINT"):
        postgres_type("HUGEINT")
    assert postgres_type("DECIMAL(18,4)") == "numeric(18,4)" and postgres_type("JSON") == "text"


def test_every_model_on_postgres_equals_duckdbs(engines):
    duck, server, _, _, _ = engines
    compared = {}
    with duckdb.connect(str(duck), read_only=True) as con:
        for layer in LAYERS:
            models = _relations(con, layer)
            assert [row[0] for row in server.query(PG_DB, _LISTING, layer)] == models, layer
            for model in models:
                result = con.execute(f'select * from {layer}."{model}"')
                duck_columns = [column[0] for column in result.description]
                duck_rows = result.fetchall()
                with contextlib.closing(server.connect(PG_DB)) as pg, pg.cursor() as cursor:
                    cursor.execute(f'select * from {layer}."{model}"')
                    pg_columns = [column.name for column in cursor.description]
                    pg_rows = cursor.fetchall()
                assert sorted(pg_columns) == sorted(duck_columns), model
                names = sorted(set(duck_columns) - ENGINE_SPECIFIC)
                mine = _sorted_rows(duck_rows, duck_columns, names)
                theirs = _sorted_rows(pg_rows, pg_columns, names)
                assert len(theirs) == len(mine), model
                different = [(a, b) for a, b in zip(mine, theirs, strict=True) if a != b]
                assert not different, (model, names, different[:2])
                compared[f"{layer}.{model}"] = len(mine)
    assert len(compared) > 60 and compared["marts.kpi_rep_monthly"] > 0
    assert compared["marts.dq_anomalies"] > 0 and compared["marts.audit_row_flow"] > 10


_LISTING = "select table_name from information_schema.tables where table_schema = %s order by 1"


def _connect_args(server: TempPostgres) -> dict[str, object]:
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "user": PG_USER,
        "password": PG_PASSWORD,
        "dbname": PG_DB,
    }


def test_load_postgres_names_the_server_it_cannot_reach(tmp_path, monkeypatch, capsys):
    from salespulse import cli

    (tmp_path / "orders" / "_schema").mkdir(parents=True)
    with duckdb.connect() as con:
        con.execute(
            f"copy (select 'O1' as order_id) to '{tmp_path}/orders/_schema/empty.parquet' (format parquet)"
        )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]  # bound, never listening: the connection is refused
        monkeypatch.setenv("SALESPULSE_PG_PORT", str(closed))
        monkeypatch.setenv("SALESPULSE_PG_DB", "nowhere")
        assert cli.main(["load-postgres", "--from", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"nowhere on 127.0.0.1:{closed}" in err and "SALESPULSE_PG_*" in err
    assert cli.main(["load-postgres", "--from", str(tmp_path / "missing")]) == 2
    assert "SALESPULSE_RAW_PARQUET=1" in capsys.readouterr().err
