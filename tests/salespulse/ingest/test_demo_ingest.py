"""The whole demo organisation through ingest: every file's fate explained, nothing lost or doubled."""

from __future__ import annotations

import json
from datetime import date

import duckdb
import pytest

from salespulse.generate import generate_org
from salespulse.ingest.loader import Ingestor

AS_OF = date(2026, 6, 30)


@pytest.fixture
def demo_home(home):
    generate_org(home.home, seed=11, as_of=AS_OF, reps=40, months=15)
    return home


def test_demo_org_ingests_completely_and_exactly_once(demo_home, contracts):
    settings = demo_home
    truth = json.loads((settings.home / "ground_truth.json").read_text(encoding="utf-8"))
    landed = sorted(p.relative_to(settings.landing_dir).as_posix() for p in settings.landing_dir.rglob("*.*"))
    con = duckdb.connect(str(settings.warehouse_path))
    report = Ingestor(con, settings, contracts).run()

    assert len(report.files) == len(landed)
    assert not list(settings.landing_dir.rglob("*.*")), "landing/ is emptied"
    malformed = {m["file"].removeprefix("landing/") for m in truth["malformed_files"]}
    quarantined = {r.file_name for r in report.files if r.status == "quarantined"}
    assert quarantined == malformed
    reason = next(settings.quarantine_dir.rglob("*.reason.txt")).read_text(encoding="utf-8")
    assert "missing required column" in reason

    # rows_loaded + rows_rejected = rows_in_file for every file read, and the tables agree.
    mismatched = con.execute(
        "select count(*) from raw.ingested_files where status in ('loaded', 'partially_loaded') "
        "and rows_loaded + rows_rejected <> rows_in_file"
    ).fetchone()[0]
    assert mismatched == 0
    for kind in contracts:
        registered = con.execute(
            "select coalesce(sum(rows_loaded), 0), coalesce(sum(rows_rejected), 0) "
            "from raw.ingested_files where kind = ?",
            [kind],
        ).fetchone()
        in_tables = (
            con.execute(f"select count(*) from raw.{kind}").fetchone()[0],
            con.execute(f"select count(*) from raw.{kind}__rejects").fetchone()[0],
        )
        assert registered == in_tables, kind
    # Only the planted negative values are rejected; everything else loads.
    rejects = con.execute(
        "select rep_id, report_date, visits, _reasons from raw.daily_reports__rejects"
    ).fetchall()
    negatives = {(v["rep_id"], v["date"]) for v in truth["impossible_values"] if v["rule"] == "negative"}

    # Rejects keep the exported text: the date is as written (e.g. 2025/9/30).
    def iso(text: str) -> str:
        year, month, day = text.replace("/", "-").split("-")
        return date(int(year), int(month), int(day)).isoformat()

    assert {(rep, iso(day)) for rep, day, _, _ in rejects} == negatives
    assert all("below the minimum 0" in reasons for *_, reasons in rejects)
    other_rejects = sum(
        con.execute(f"select count(*) from raw.{kind}__rejects").fetchone()[0]
        for kind in contracts
        if kind != "daily_reports"
    )
    assert other_rejects == 0
    # Everything archived, unchanged, under its hash.
    archived = {p.stem for p in settings.archive_dir.rglob("*.*")}
    assert {r.sha256 for r in report.files} <= archived
    con.close()

    # The same exports landed again load nothing.
    generate_org(settings.home, seed=11, as_of=AS_OF, reps=40, months=15)
    con = duckdb.connect(str(settings.warehouse_path))
    before = con.execute("select count(*) from raw.daily_reports").fetchone()[0]
    again = Ingestor(con, settings, contracts).run()
    assert {r.status for r in again.files} == {"duplicate"}
    assert again.rows_loaded == 0
    assert con.execute("select count(*) from raw.daily_reports").fetchone()[0] == before
