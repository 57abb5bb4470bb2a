"""The raw tables mirrored to Parquet (SALESPULSE_RAW_PARQUET; issue #15, item 1): one file per
landed file by load date, kept in step with raw through re-reads, and a second warehouse built
by dbt from those files alone holds exactly what the ingest's own warehouse holds."""

from __future__ import annotations

import shutil
from datetime import date

import duckdb
import pytest
from dbt_support import ROOT, build_generated_org, dbt_build

from benchmarks.increment import differences
from salespulse.config import get_settings
from salespulse.contracts import load_contracts
from salespulse.ingest.parquet import sync_raw_parquet
from salespulse.ingest.reprocess import reprocess_with

AS_OF = date(2026, 3, 31)
ORG = {"seed": 11, "as_of": AS_OF, "reps": 8, "months": 3}
BUILD = ("build", "--exclude-resource-type", "unit_test")

pytestmark = pytest.mark.xdist_group("raw_parquet")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("parquet")
    return tmp, build_generated_org(tmp, **ORG)


def _raw_tables(con) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, list(column_name order by ordinal_position) from information_schema.columns "
        "where table_schema = 'raw' group by table_name"
    ).fetchall()
    return dict(rows)


def test_a_warehouse_fed_by_the_parquet_files_equals_the_ingests(built):
    tmp, warehouse = built
    directory = tmp / "raw_parquet"
    with duckdb.connect(str(warehouse)) as con:
        synced = sync_raw_parquet(con, directory)
        tables = _raw_tables(con)
        files = con.execute("select count(distinct _file_id) from raw.orders").fetchone()[0]
        rows = sum(con.execute(f"select count(*) from raw.{table}").fetchone()[0] for table in tables)
    assert synced.removed == 0 and synced.rows == rows > 1000
    assert len(list((directory / "orders").glob("load_date=*/*.parquet"))) == files > 1
    fed = tmp / "fed.duckdb"
    dbt_vars = {"as_of_date": AS_OF.isoformat(), "raw_parquet_dir": str(directory)}
    dbt_build(tmp / "fed-dbt", fed, dbt_vars, BUILD)
    with duckdb.connect(str(fed), read_only=True) as con:
        # raw in the fed warehouse is views over the files, nothing copied from the ingest's file.
        raw_tables = con.execute("select count(*) from duckdb_tables() where schema_name = 'raw'")
        assert raw_tables.fetchone()[0] == 0
        listing = con.execute("select view_name from duckdb_views() where schema_name = 'raw'")
        views = {row[0] for row in listing.fetchall()}
        assert views == set(tables)
        con.execute(f"attach '{warehouse}' as ingest (read_only)")
        for table, columns in tables.items():
            listed = ", ".join(f'"{c}"' for c in columns)
            mine = f"select {listed} from ingest.raw.{table}"
            theirs = f"select {listed} from raw.{table}"
            for a, b in ((mine, theirs), (theirs, mine)):
                assert con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0] == 0, table
    # Every model, mart and quality table built from the files equals the ingest warehouse's.
    assert differences(warehouse, fed) == {}


def test_the_mirror_follows_a_reread_and_rewrites_nothing_unchanged(built, monkeypatch):
    tmp, warehouse = built
    copy = tmp / "reread.duckdb"
    shutil.copy(warehouse, copy)
    directory = tmp / "mirror"
    monkeypatch.setenv("SALESPULSE_HOME", str(tmp / "home"))
    monkeypatch.setenv("SALESPULSE_WAREHOUSE", str(copy))
    get_settings.cache_clear()
    try:
        with duckdb.connect(str(copy)) as con:
            sync_raw_parquet(con, directory)
            again = sync_raw_parquet(con, directory)
            # Only the tables without _file_id (registry, calendar) are written again.
            assert (again.written, again.removed) == (2, 0)
            loaded = dict(
                con.execute(
                    "select _file_id, cast(min(_loaded_at) as date) from raw.orders group by _file_id"
                ).fetchall()
            )
            names = {path.name: path for path in (directory / "orders").glob("load_date=*/*.parquet")}
            assert {int(name.split("-")[0]) for name in names} == set(loaded)
            for name, path in names.items():
                assert path.parent.name == f"load_date={loaded[int(name.split('-')[0])].isoformat()}"
            assert not [p for p in directory.rglob("*") if p.name.startswith(".")]  # no temporary left
            file_id = min(loaded)
            before = [name for name in names if name.startswith(f"{file_id}-")]
            report = reprocess_with(con, get_settings(), load_contracts(ROOT / "models"), file_ids=[file_id])
            assert [r.status for r in report.files] == ["loaded"]
            third = sync_raw_parquet(con, directory)
            after = [p.name for p in (directory / "orders").glob(f"load_date=*/{file_id}-*.parquet")]
            assert len(before) == len(after) == 1 and before != after
            assert third.removed >= 1
            raw_rows = con.execute("select count(*) from raw.orders").fetchone()[0]
            glob = str(directory / "orders" / "*" / "*.parquet")
            mirrored = con.execute("select count(*) from read_parquet(?, union_by_name = true)", [glob])
            assert mirrored.fetchone()[0] == raw_rows
    finally:
        get_settings.cache_clear()
