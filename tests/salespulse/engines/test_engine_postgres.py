"""The dbt project on PostgreSQL (issue #15, item 2): one ingest into DuckDB, its raw Parquet
mirror loaded into a throwaway Postgres by `salespulse load-postgres`, `dbt build` there with the
`postgres` target (every model and data test), and every staging, intermediate and marts relation
equal to DuckDB's: rows sorted, columns matched by name, money to the cent, other numbers to 9
significant digits. A daily increment built on Postgres equals DuckDB's whole build. The
engine-specific SQL is in `dbt_project/macros/engine/` (adapter.dispatch).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from dbt_support import ROOT, dbt_build, run_dbt, split_generated_org, write_work_calendar
from engine_compare import (
    assert_briefs_and_checks_read_the_same,
    assert_layers_equal,
    build_mirrored_org,
    relations,
)
from postgres_server import PG_PASSWORD, PG_USER, TempPostgres

from salespulse.config import get_settings
from salespulse.engines.postgres import PostgresLoadError, load_raw, postgres_type
from salespulse.ingest.loader import Ingestor
from salespulse.ingest.parquet import sync_raw_parquet
from salespulse.marts import MartsSource, MissingRelation

pytestmark = pytest.mark.xdist_group("engine_postgres")

AS_OF = date(2026, 3, 31)
PG_DB = "salespulse_warehouse"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def server():
    """A throwaway PostgreSQL server for this module's databases."""
    postgres = TempPostgres()
    try:
        postgres.start()
        yield postgres
    finally:
        postgres.stop()


def _pg_env(server: TempPostgres, database: str) -> dict[str, str]:
    return {
        "SALESPULSE_PG_HOST": "127.0.0.1",
        "SALESPULSE_PG_PORT": str(server.port),
        "SALESPULSE_PG_USER": PG_USER,
        "SALESPULSE_PG_PASSWORD": PG_PASSWORD,
        "SALESPULSE_PG_DB": database,
    }


def _load_postgres(mirror: Path, env: dict[str, str]) -> str:
    """`salespulse load-postgres` as a user runs it; its output."""
    loaded = subprocess.run(
        [str(BIN / "salespulse"), "load-postgres", "--from", str(mirror)],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    return loaded.stdout


def _dbt_postgres(tmp: Path, env: dict[str, str], as_of: date, args: tuple[str, ...]) -> None:
    """dbt `args` with the postgres target (the DuckDB path run_dbt sets is not read by it)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        built = run_dbt(
            tmp, tmp / "unused.duckdb", {"as_of_date": as_of.isoformat()}, (*args, "--target", "postgres")
        )
    assert built.returncode == 0, built.stdout[-6000:] + built.stderr[-2000:]


@pytest.fixture(scope="module")
def engines(server, tmp_path_factory):
    """(DuckDB warehouse, Postgres server, its env, mirror, load output): one org built in both."""
    tmp = tmp_path_factory.mktemp("engines")
    duck = build_mirrored_org(tmp, AS_OF)
    server.create_database(PG_DB)
    env = _pg_env(server, PG_DB)
    said = _load_postgres(tmp / "raw_parquet", env)
    _dbt_postgres(tmp / "pg-dbt", env, AS_OF, ("build", "--exclude-resource-type", "unit_test"))
    return duck, server, env, tmp / "raw_parquet", said


def test_load_postgres_copies_every_raw_table_and_is_repeatable(engines):
    duck, server, _, mirror, said = engines
    with duckdb.connect(str(duck), read_only=True) as con:
        counts = {
            t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in relations(con, "raw")
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


def _layers_compared(duck: Path, server: TempPostgres, database: str) -> dict[str, int]:
    """Every staging, intermediate and marts relation of Postgres `database` against DuckDB's
    `duck` (asserted equal); {relation: rows}."""

    def listed(layer: str) -> list[str]:
        return [row[0] for row in server.query(database, _LISTING, layer)]

    def fetched(layer: str, model: str) -> tuple[list[str], list[tuple]]:
        with contextlib.closing(server.connect(database)) as pg, pg.cursor() as cursor:
            cursor.execute(f'select * from {layer}."{model}"')
            return [column.name for column in cursor.description], cursor.fetchall()

    return assert_layers_equal(duck, listed, fetched)


def test_every_model_on_postgres_equals_duckdbs(engines):
    duck, server, _, _, _ = engines
    compared = _layers_compared(duck, server, PG_DB)
    assert len(compared) > 60 and compared["marts.kpi_rep_monthly"] > 0
    assert compared["marts.dq_anomalies"] > 0 and compared["marts.audit_row_flow"] > 10


def test_briefs_and_checks_read_postgres_marts_as_duckdbs(engines):
    """Item 5: the briefs' data and recipients, the rule checks' findings and the GX mart suites'
    verdicts, read through salespulse.marts from Postgres, equal DuckDB's."""
    duck, server, _, _, _ = engines
    source = MartsSource.postgres(_connect_args(server))
    read = assert_briefs_and_checks_read_the_same(source, duck, AS_OF)
    briefs = [key for key in read if key[0] in ("daily", "weekly", "monthly") and len(key) == 3]
    assert len(briefs) >= 20, "every team, region and the company, in five periods"
    findings = {key[1]: len(value[1]) for key, value in read.items() if key[0] == "rule"}
    assert sum(1 for count in findings.values() if count) >= 8, findings
    with source.open() as marts:
        with pytest.raises(MissingRelation, match="nowhere"):
            marts.execute("select count(*) from marts.nowhere")
        # The session goes on after a failed statement (autocommit), `%` and markers translated.
        assert marts.execute("select ? || '%' as share", ["50"]).records() == [{"share": "50%"}]
        assert marts.execute("select $n + 1", {"n": 1}).scalar() == 2


def test_the_dbt_unit_tests_pass_on_postgres(engines, tmp_path):
    _, _, env, _, _ = engines
    _dbt_postgres(tmp_path / "pg-unit", env, AS_OF, ("test", "--select", "test_type:unit"))


def test_a_daily_run_on_postgres_equals_a_full_build(server, tmp_path, monkeypatch):
    """History built on Postgres, then the last day's exports ingested, mirrored, loaded and
    built incrementally there: the result equals DuckDB's whole build of the same raw data, the
    incremental models' watermarks advanced, and fewer than half of kpi_rep_daily's days (the new
    day and the day it closed among them) were computed again."""
    settings, contracts, increment = split_generated_org(tmp_path, monkeypatch, AS_OF)
    database = "salespulse_daily"
    server.create_database(database)
    env = _pg_env(server, database)
    mirror = tmp_path / "raw_parquet"
    day_before = AS_OF - timedelta(days=1)

    def ingest(as_of: date) -> None:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            Ingestor(con, settings, contracts).run()
            write_work_calendar(con, contracts, as_of)
            sync_raw_parquet(con, mirror)
        _load_postgres(mirror, env)

    ingest(day_before)
    _dbt_postgres(tmp_path / "pg-dbt", env, day_before, ("run",))
    watermarks = "select model_name, through_file_id from dbt_state.incremental_watermarks"
    first = dict(server.query(database, watermarks))
    built = (
        "select period_start, fingerprint from dbt_state.kpi_built_periods where model_name = 'kpi_rep_daily'"
    )
    days_before = dict(server.query(database, built))
    shutil.copytree(increment, settings.landing_dir, dirs_exist_ok=True)
    ingest(AS_OF)
    _dbt_postgres(tmp_path / "pg-dbt", env, AS_OF, ("run",))
    second = dict(server.query(database, watermarks))
    days_after = dict(server.query(database, built))
    assert set(first) == set(second) and all(second[m] > first[m] for m in first)
    changed = {day for day, fingerprint in days_after.items() if days_before.get(day) != fingerprint}
    assert {AS_OF, day_before} <= changed and len(changed) < len(days_after) / 2
    # DuckDB builds the same raw data whole; Postgres's increment must hold the same rows.
    get_settings.cache_clear()
    dbt_build(tmp_path / "duck-dbt", settings.warehouse_path, {"as_of_date": AS_OF.isoformat()}, ("run",))
    compared = _layers_compared(settings.warehouse_path, server, database)
    assert compared["marts.kpi_rep_daily"] > 0 and compared["marts.fct_opportunity_history"] > 0
    _dbt_postgres(tmp_path / "pg-dbt", env, AS_OF, ("test", "--exclude-resource-type", "unit_test"))


_LISTING = "select table_name from information_schema.tables where table_schema = %s order by 1"


def _connect_args(server: TempPostgres) -> dict[str, object]:
    return {
        "host": "127.0.0.1",
        "port": server.port,
        "user": PG_USER,
        "password": PG_PASSWORD,
        "dbname": PG_DB,
    }


def test_load_postgres_names_the_server_it_cannot_reach(home, tmp_path, monkeypatch, capsys):
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
        get_settings.cache_clear()  # read again, with these (the `home` fixture clears it after)
        assert cli.main(["load-postgres", "--from", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"nowhere on 127.0.0.1:{closed}" in err and "SALESPULSE_PG_*" in err
    assert cli.main(["load-postgres", "--from", str(tmp_path / "missing")]) == 2
    assert "SALESPULSE_RAW_PARQUET=1" in capsys.readouterr().err
