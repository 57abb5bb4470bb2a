"""The reader's fast paths give what the general ones give.

The plain-UTF-8 path of the CSV reader (pyarrow parses the file's bytes, only the head is
decoded in Python) reads every file exactly as the general path (decode the whole text first)
does: the same headers, cells, encoding, bad rows, or the same error. Checked on hand-picked
edge cases, on every CSV of a generated org in both export styles, and on random damage.
The encoding choice finds a UTF-8 line in a non-UTF-8 file with RE2 over the bytes: it finds
exactly the lines Python's strict decoder accepts, and the choice among GB18030, cp1252 and
mixed is the one it always made. A reader process sends a large table back through a spool
file, not the pipe: the same table, and no file left behind."""

from __future__ import annotations

import codecs
import random
import shutil
from datetime import date
from pathlib import Path

import pytest

from salespulse.generate import generate_org
from salespulse.ingest import isolate, read
from salespulse.ingest.isolate import SPOOL_BYTES, ReaderPool, read_in_process
from salespulse.ingest.read import Reading, ReadLimits, UnreadableFile, read_csv

LIMITS = ReadLimits(max_cell_bytes=4096)

HANDPICKED = [
    b"a,b\n1,2\n",
    b"a,b\r\n1,2\r\n",
    b"a,b\n1,2",
    codecs.BOM_UTF8 + "销售人员,日期\n张三,2026-01-02\n".encode(),
    '工号,日报日期,备注\nR1,2026-01-02,"多行\n备注"\nR2,2026-01-03,\n'.encode(),
    b'a,b\n"1,5",2\n"x""y",3\n',
    b"a,b\n1,2,3\n4,5\n",  # ragged: the exact path
    b"a,b\n1\n",
    b'a,b\n"unterminated,2\n3,4\n',
    b"a;b\n1;2\n",
    b"a\tb\n1\t2\n",
    b"title line\na,b\n1,2\n",  # header_row 2 below
    b"a,b\n\n1,2\n\n",
    b"a,b\n   \n1,2\n",
    b"a,b\n1,2\n" + b"x" * 5000 + b",3\n",  # a cell over the limit
    b"a,b\r1,2\r",  # CR only: the general path
    b"a,b\n1,\x002\n",  # NUL: the general path names it
    b"a,b\n" + b"1,\x01\x02\x03\x04\n" * 50,  # control characters: binary
    b"\n\na,b\n1,2\n",
    b",\n1,2\n",  # no header text
    "a,b\n1,2\n".encode("utf-16"),
    "日期,金额\n2026-01-02,5\n".encode("gbk"),
    b"a,b\n" + "é,ü\n".encode("cp1252"),
    codecs.BOM_UTF8 + b"a,b\n1,2\xff\n",  # BOM, then invalid UTF-8
    b"a,b\n" + "好,😀\n".encode() * 8000,  # long multi-byte text: the head is cut mid-file
    b"a,b\n" + "好,😀".encode() * 30000 + b"\n",  # one very long line
]


def _outcome(data: bytes, reading: Reading) -> tuple:
    try:
        raw = read_csv(data, reading, LIMITS)
    except UnreadableFile as exc:
        return ("unreadable", str(exc))
    return (raw.headers, raw.table.to_pydict(), raw.encoding, raw.bad_rows)


def _both(data: bytes, reading: Reading, monkeypatch) -> tuple[tuple, tuple]:
    fast = _outcome(data, reading)
    with monkeypatch.context() as patched:
        patched.setattr(read, "_plain_utf8", lambda *_: None)
        general = _outcome(data, reading)
    return fast, general


@pytest.mark.parametrize("index", range(len(HANDPICKED)))
def test_handpicked_files_read_the_same(index, monkeypatch):
    data = HANDPICKED[index]
    for reading in (Reading(), Reading(header_row=2)):
        fast, general = _both(data, reading, monkeypatch)
        assert fast == general


def test_the_plain_path_is_taken_for_plain_files():
    assert read._plain_utf8(b"a,b\n1,2\n", Reading()) is not None
    assert read._plain_utf8(codecs.BOM_UTF8 + b"a,b\n1,2\n", Reading()) is not None
    assert read._plain_utf8("a,b\n1,2\n".encode("gbk") + b"\xb0\xa1", Reading()) is None
    assert read._plain_utf8(b"a,b\n1,2\n", Reading(encoding="gb18030")) is None


@pytest.mark.parametrize("style", ["standard", "other-crm"])
def test_generated_exports_read_the_same(style, tmp_path, monkeypatch):
    generate_org(tmp_path, seed=3, as_of=date(2026, 3, 31), reps=6, months=2, style=style)
    files = sorted(Path(tmp_path, "landing").rglob("*.csv"))
    assert len(files) >= 5
    plain = 0
    for path in files:
        data = path.read_bytes()
        plain += read._plain_utf8(data, Reading()) is not None
        fast, general = _both(data, Reading(), monkeypatch)
        assert fast == general, path.name
    assert plain > 0  # some exports are UTF-8: the comparison covered the plain path


def test_damaged_files_read_the_same(monkeypatch):
    rng = random.Random(5)
    base = "工号,日期,拜访量,备注\n" + "".join(
        f'R{i},2026-01-{i % 28 + 1:02d},{i},"说明 {i}, 第{i}行"\n' for i in range(40)
    )
    pieces = [b'"', b",", b"\n", b"\r", b"\r\n", b"\x00", b"\x01", b"\xff", b"\xe5\xa5", "好".encode(), b";"]
    for _ in range(300):
        data = bytearray(base.encode())
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data)) : rng.randrange(len(data))] = rng.choice(pieces)
        if rng.random() < 0.2:
            data[0:0] = codecs.BOM_UTF8
        fast, general = _both(bytes(data), Reading(), monkeypatch)
        assert fast == general, bytes(data)[:200]


def _utf8_line_by_decoding(data: bytes) -> bool:
    """Some line is valid UTF-8 with non-ASCII text other than U+FFFD: decoded line by line."""
    for line in data.split(b"\n"):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not text.isascii() and "\ufffd" not in text:
            return True
    return False


def test_the_utf8_line_check_accepts_what_the_strict_decoder_accepts():
    rng = random.Random(11)
    pieces = [b"a", b",", b"\n", b"\r", b"\x00", b"\x7f", "张".encode(), "张".encode("gbk"), "é".encode()]
    pieces += ["é".encode("cp1252"), "😀".encode(), "\ufffd".encode(), "\uffff".encode(), "\u0800".encode()]
    pieces += [b"\xe0\x80\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf0\x8f\xbf\xbf", b"\xc0\xaf"]
    pieces += [b"\xc1\xbf", b"\xff", b"\x80", b"\xe4\xb8", b"\xf0\x9f", b"\xf5\x80\x80\x80"]
    found = 0
    for _ in range(20_000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        expected = _utf8_line_by_decoding(data)
        assert read._has_utf8_line(data) == expected, data
        found += expected
    assert 1_000 < found < 19_000  # both answers were checked often


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("工号,姓名\nR1,张三\nR2,李四\n".encode("gbk"), "gb18030"),
        ("工号,姓名\nR1,張三\n".encode("gb18030") + "R2,𠀀\n".encode("gb18030"), "gb18030"),
        ("name,city\nJosé,Zürich\nRenée,Köln\n".encode("cp1252"), "cp1252"),
        ("工号,姓名\nR1,张三\n".encode("gbk") + "R2,李四\n".encode(), "mixed utf-8/gb18030"),
        (b"a,b\n\x81\x40,2\n", "gb18030"),  # looks Latin, but 0x81 is undefined in cp1252
        (b"a,b\n\xff,2\n", "cp1252"),  # not GB18030
    ],
)
def test_the_encoding_choice(data, encoding):
    text, used = read.decode(data)
    assert used == encoding
    if encoding in ("gb18030", "cp1252"):
        assert text == data.decode(encoding)


def test_a_large_table_comes_back_through_the_spool_and_leaves_nothing(contracts, tmp_path, monkeypatch):
    spool_files = []

    def unspooled(outcome):
        spool_files.append(outcome.table_file)
        return original(outcome)

    original = isolate._unspooled
    monkeypatch.setattr(isolate, "_unspooled", unspooled)
    path = tmp_path / "日报_2026-03.csv"
    path.write_text(
        "工号,日报日期,提交时间,拜访量,电话沟通量,新增潜在客户数,备注\n"
        + "".join(
            f"R{i},{i % 28 + 1:02d}/03/2026,2026-03-05 18:{i % 60:02d},{i % 9},2,1,第{i}条\n"
            for i in range(20_000)
        ),
        encoding="utf-8",
    )
    expected = read_in_process(path.name, path.read_bytes(), "daily_reports", contracts, ReadLimits())
    assert expected.raw.table.nbytes >= SPOOL_BYTES
    assert expected.date_orders.get("report_date") == "dmy"  # decided by the reader
    with ReaderPool(contracts, ReadLimits(), workers=1) as pool:
        spooled = pool.read(path.name, path, "daily_reports")
        spool = Path(pool._spool)
        assert spool.is_dir() and not list(spool.iterdir())  # mapped, then removed at once
        shutil.rmtree(spool)  # the spool cannot be written: the table comes through the pipe
        piped = pool.read(path.name, path, "daily_reports")
    assert not spool.exists()
    assert spool_files == [str(spool / "0.arrow"), None]
    for outcome in (spooled, piped):
        assert outcome.table_file is None and outcome.unreadable is None and outcome.internal is None
        assert outcome.raw.table.equals(expected.raw.table)
        assert outcome.raw.headers == expected.raw.headers
        assert outcome.date_orders == expected.date_orders
