"""Half-written files (issue #12, item 3): a file is loaded only once it has settled and nobody
holds it open for writing; a file that changes while it is read or loaded is rolled back and
left for the next run; a writer that keeps appending loses nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime

import duckdb
import pytest

from salespulse.config import get_settings
from salespulse.ingest import isolate
from salespulse.ingest.landing import open_for_writing, scan_landing
from salespulse.ingest.loader import Ingestor

HEADER = "payment_id,order_id,amount,received_date\n"


def payment(n: int) -> str:
    return f"P{n:05d},O{n:05d},{n},2026-03-05\n"


def ingest(settings, contracts):
    with duckdb.connect(str(settings.warehouse_path)) as con:
        return Ingestor(con, settings, contracts, now=datetime(2026, 3, 10, 18, 0)).run()


def loaded_payments(settings) -> list[str]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return [row[0] for row in con.execute("select payment_id from raw.payments order by 1").fetchall()]


@pytest.fixture
def settle(home, monkeypatch):
    def set_settle(seconds: float):
        monkeypatch.setenv("SALESPULSE_LANDING_SETTLE_SECONDS", str(seconds))
        get_settings.cache_clear()
        return get_settings()

    yield set_settle
    get_settings.cache_clear()


WRITER = """
import sys, time
path, rows, pause, keep_open = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "open"
def row(n):
    return f"P{n:05d},O{n:05d},{n},2026-03-05\\n"
handle = open(path, "w")
handle.write("payment_id,order_id,amount,received_date\\n")
handle.flush()
for n in range(rows):
    if not keep_open:
        handle = open(path, "a")
    handle.write(row(n))
    handle.flush()
    if not keep_open:
        handle.close()
    time.sleep(pause)
if keep_open:
    handle.close()
"""


def test_a_fresh_file_waits_for_the_settle_time(home, contracts, settle):
    settings = settle(2)
    path = settings.landing_dir / "payments" / "p.csv"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + payment(1))
    report = ingest(settings, contracts)
    assert report.files == [] and path.exists()
    assert report.left and "settle time 2 s" in report.left[0][1]
    time.sleep(2.1)
    (result,) = ingest(settings, contracts).files
    assert result.status == "loaded" and not path.exists()


def test_a_file_open_for_writing_is_left_until_its_writer_closes_it(home, contracts, settle):
    settings = settle(0)
    path = settings.landing_dir / "payments" / "p.csv"
    path.parent.mkdir(parents=True)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; f = open(sys.argv[1], 'w'); time.sleep(60)", str(path)]
    )
    try:
        deadline = time.monotonic() + 30
        while not open_for_writing([path.resolve()]) and time.monotonic() < deadline:
            time.sleep(0.05)
        scan = scan_landing(settings.landing_dir, 0)
        assert [(landed.name, why) for landed, why in scan.waiting] == [
            ("payments/p.csv", f"open for writing by pid {writer.pid} (python)")
        ]
        assert ingest(settings, contracts).files == [] and path.exists()
    finally:
        writer.kill()
        writer.wait()
    path.write_text(HEADER + payment(1))
    assert [r.status for r in ingest(settings, contracts).files] == ["loaded"]


@pytest.mark.parametrize(("keep_open", "settle_seconds"), [(True, 0), (False, 1)])
def test_a_writer_that_keeps_appending_loses_nothing(home, contracts, settle, keep_open, settle_seconds):
    """A writer appends a row every 20 ms for ~6 s, holding the file open (seen in /proc) or
    reopening it for each row (caught by the settle time); runs start every 0.3 s, as an eager
    sensor would. Every row ends up loaded exactly once."""
    settings = settle(settle_seconds)
    path = settings.landing_dir / "payments" / "stream.csv"
    path.parent.mkdir(parents=True)
    rows = 300
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(rows), "0.02", "open" if keep_open else "reopen"]
    )
    loads = []
    while writer.poll() is None:
        loads += ingest(settings, contracts).files
        time.sleep(0.3)
    assert writer.returncode == 0
    deadline = time.monotonic() + 30
    while path.exists() and time.monotonic() < deadline:
        loads += ingest(settings, contracts).files
        time.sleep(0.3)
    assert [result.status for result in loads] == ["loaded"], [(r.status, r.rows_loaded) for r in loads]
    assert loaded_payments(settings) == [f"P{n:05d}" for n in range(rows)]


def test_a_file_that_changes_while_it_is_read_is_rolled_back_and_left(home, contracts, monkeypatch):
    path = home.landing_dir / "payments" / "p.csv"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + payment(1))
    original = isolate.ReaderPool.result

    def result_then_append(self, ticket):
        outcome = original(self, ticket)
        with path.open("a") as handle:  # the exporter was not done after all
            handle.write(payment(2))
        return outcome

    monkeypatch.setattr(isolate.ReaderPool, "result", result_then_append)
    report = ingest(home, contracts)
    assert report.files == []
    assert report.left == [
        ("payments/p.csv", "left in landing/ for the next run: changed while it was loaded")
    ]
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        assert con.execute("select count(*) from raw.ingested_files").fetchone()[0] == 0
        assert con.execute("select count(*) from raw.payments").fetchone()[0] == 0, "no half file in raw"
    monkeypatch.setattr(isolate.ReaderPool, "result", original)
    (result,) = ingest(home, contracts).files
    assert result.status == "loaded" and loaded_payments(home) == ["P00001", "P00002"]


def test_a_file_loaded_by_a_run_that_died_before_removing_it_is_just_removed(home, contracts):
    path = home.landing_dir / "payments" / "p.csv"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + payment(1))
    stat = path.stat()
    (first,) = ingest(home, contracts).files
    # The run died between its commit and removing the file: the same file is still there.
    path.write_text(HEADER + payment(1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    report = ingest(home, contracts)
    assert report.files == [] and not path.exists()
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        registry = con.execute("select file_id, status from raw.ingested_files").fetchall()
    assert registry == [(first.file_id, "loaded")]
    # The same export landed again later is a duplicate, as before.
    path.write_text(HEADER + payment(1))
    (again,) = ingest(home, contracts).files
    assert again.status == "duplicate" and again.duplicate_of == first.file_id


def test_salespulse_run_waits_for_files_still_being_written_and_says_so(home, settle, capsys):
    from pipelines.runner import wait_for_landing

    settings = settle(1)
    path = settings.landing_dir / "payments" / "p.csv"
    path.parent.mkdir(parents=True)
    path.write_text(HEADER + payment(1))
    started = time.monotonic()
    wait_for_landing(settings)
    said = capsys.readouterr().err
    assert 0.5 < time.monotonic() - started < 10
    assert "waiting for 1 file(s) in landing/ still being written" in said and "payments/p.csv" in said
    assert "landing/ settled after" in said
