"""Findings stay unique however often a rejected row comes back (issue #12, item 4).

A daily-report export re-landed with one extra trailing newline is new content: it loads
again, so its rejected rows are in raw.daily_reports__rejects twice. A rejected row repeated
inside one file, a later re-export of the same bad report, and a reprocess of the whole kind
do the same. None of them may break a uniqueness test of the quality marts, and an
anomaly's id must not change because the same finding was exported again.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dbt_support import run_dbt, write_calendar

from salespulse.config import PROJECT_ROOT
from salespulse.contracts import load_contracts
from salespulse.generate import generate_org
from salespulse.ingest.loader import Ingestor
from salespulse.ingest.reprocess import reprocess_with

pytestmark = pytest.mark.xdist_group("findings")

AS_OF = date(2026, 3, 31)
HEADER = "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"


def _dbt(tmp: Path, warehouse: Path, *args: str) -> subprocess.CompletedProcess:
    return run_dbt(tmp, warehouse, {"as_of_date": AS_OF.isoformat()}, args)


def _land(landing: Path, name: str, text: str) -> None:
    path = landing / "daily_reports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def _ingest(settings, contracts) -> None:
    with duckdb.connect(str(settings.warehouse_path)) as con:
        Ingestor(con, settings, contracts).run()


def _build_quality(tmp: Path, warehouse: Path) -> str:
    """Build what the quality marts need and run their tests; '' when all pass, else dbt's output."""
    built = _dbt(tmp, warehouse, "run", "--select", "+path:models/quality")
    if built.returncode:
        return built.stdout[-4000:]
    tested = _dbt(tmp, warehouse, "test", "--select", "path:models/quality")
    failures = [line for line in tested.stdout.splitlines() if " FAIL " in line or " ERROR " in line]
    return "" if tested.returncode == 0 else "\n".join(failures) or tested.stdout[-4000:]


def _anomalies(warehouse: Path) -> set[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return set(
            con.execute(
                "select anomaly_id, kind, detail from marts.dq_anomalies "
                "where kind in ('impossible_value', 'rejected_report')"
            ).fetchall()
        )


@pytest.fixture
def org(home):
    """A small generated organisation ingested under the shipped contracts, with its calendar
    (`home`: a fresh SALESPULSE_HOME, tests/conftest.py); returns the settings and contracts."""
    generate_org(home.home, seed=5, as_of=AS_OF, reps=6, months=2)
    contracts = load_contracts(PROJECT_ROOT / "models")
    _ingest(home, contracts)
    with duckdb.connect(str(home.warehouse_path)) as con:
        write_calendar(con, date(AS_OF.year - 1, 1, 1), date(AS_OF.year, 12, 31))
    return home, contracts


def test_re_exported_and_repeated_rejected_rows_keep_findings_unique(org, tmp_path):
    settings, contracts = org
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rep = con.execute("select min(rep_id) from raw.roster").fetchone()[0]
    bad = (
        f"{rep},x,2026-03-16,2026-03-16 16:00,-3,5,0,negative visits\n"
        f"{rep},x,2026-03-17,2026-03-17 16:00,4,abc,0,calls not a number\n"
    )
    _land(settings.landing_dir, "export-1.csv", HEADER + bad)
    _ingest(settings, contracts)
    assert _build_quality(tmp_path, settings.warehouse_path) == ""
    first = _anomalies(settings.warehouse_path)
    assert {kind for _, kind, _ in first} >= {"impossible_value", "rejected_report"}

    # The same export re-landed with one more trailing newline: new content, same findings.
    _land(settings.landing_dir, "export-1 (copy).csv", HEADER + bad + "\n")
    # The bad rows again, one of them twice in one file, beside a good row.
    _land(
        settings.landing_dir,
        "export-2.csv",
        HEADER + bad + bad.splitlines()[0] + "\n" + f"{rep},x,2026-03-18,2026-03-18 16:00,2,3,0,ok\n",
    )
    _ingest(settings, contracts)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        repeated = con.execute(
            "select count(*) from raw.daily_reports__rejects where report_date = '2026-03-16'"
        ).fetchone()[0]
    assert repeated == 4, "the rejected row is kept every time it was exported"
    assert _build_quality(tmp_path, settings.warehouse_path) == ""
    again = _anomalies(settings.warehouse_path)
    # Same ids as before; the only new finding is the row repeated inside export-2.csv.
    new = {(anomaly_id, detail) for anomaly_id, _, detail in again} - {(a, d) for a, _, d in first}
    assert [detail for _, detail in new] == [
        "数值异常 rejected at ingest: duplicate of row 1 in the same file"
    ], new
    assert {row[0] for row in first} <= {row[0] for row in again}

    # Reprocessing the kind reads every file again: still one finding per rejected report.
    with duckdb.connect(str(settings.warehouse_path)) as con:
        reprocess_with(con, settings, contracts, kind="daily_reports")
    assert _build_quality(tmp_path, settings.warehouse_path) == ""
    assert _anomalies(settings.warehouse_path) == again


def test_future_dates_of_opportunities_are_judged_on_the_winning_row(org, tmp_path):
    """A future date in an opportunity snapshot is a finding unless a later file corrected it.

    The findings model ranks only the snapshots that some raw row dates in the future; this plants
    one of each: a snapshot closed in the future, one dated in the future, and one whose future
    close a later file's row for the same deal and day replaced. The row-flow audit calls every
    row but a deal's latest one superseded: counted here from raw by hand.
    """
    settings, _ = org
    future = "2099-06-01"
    with duckdb.connect(str(settings.warehouse_path)) as con:
        first_file, last_file = con.execute(
            "select min(_file_id), max(_file_id) from raw.opportunities"
        ).fetchone()
        assert first_file < last_file
        planted = [
            # (opportunity, snapshot date, closed_at, file)
            ("OPP-CLOSES-LATER", "2026-03-20", f"{future} 10:00:00", first_file),
            ("OPP-FROM-THE-FUTURE", future, None, first_file),
            ("OPP-CORRECTED", "2026-03-20", f"{future} 10:00:00", first_file),
            ("OPP-CORRECTED", "2026-03-20", None, last_file),
        ]
        for row_number, (opportunity, snapshot_date, closed_at, file_id) in enumerate(planted):
            con.execute(
                "insert into raw.opportunities by name select * replace ("
                "? as opportunity_id, cast(? as date) as snapshot_date, "
                "cast(? as timestamp) as closed_at, ? as _file_id, ? as _row_number"
                ") from raw.opportunities where status = 'open' limit 1",
                [opportunity, snapshot_date, closed_at, file_id, 900_000 + row_number],
            )
        raw_rows, deals = con.execute(
            "select count(*), count(distinct opportunity_id) from raw.opportunities"
        ).fetchone()

    built = _dbt(tmp_path, settings.warehouse_path, "run", "--select", "+dq_anomalies", "+audit_row_flow")
    assert built.returncode == 0, built.stdout[-4000:]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        found = set(
            con.execute(
                "select entity_id, metric, start_date from marts.dq_anomalies "
                "where kind = 'future_date' and entity_type = 'opportunity'"
            ).fetchall()
        )
        superseded = con.execute(
            "select sum(rows) from marts.audit_row_flow "
            "where kind = 'opportunities' and outcome = 'superseded' and file_id is not null"
        ).fetchone()[0]
    assert found == {
        ("OPP-CLOSES-LATER", "closed_at", date(2099, 6, 1)),
        ("OPP-FROM-THE-FUTURE", "snapshot_date", date(2099, 6, 1)),
    }
    assert superseded == raw_rows - deals
