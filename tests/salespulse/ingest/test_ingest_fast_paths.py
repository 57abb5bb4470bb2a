"""The typing macros' fast paths (one native cast for plain numbers, ISO dates and
timestamps) give what the full reading gives, for every text: plain cells, cells the fast
path must leave alone (rounding casts, offsets, hex, units) and random text."""

from __future__ import annotations

import random
from datetime import date

import duckdb
import pytest

from salespulse.ingest.coerce import install_macros

HANDPICKED = [
    None,
    "",
    " ",
    "0",
    "00",
    "007",
    "-0",
    "-5",
    "+3",
    "5-3",
    "1.5",
    "2.5",
    "1.0",
    "1.",
    ".5",
    "1e3",
    "0x10",
    "1_000",
    "1,000",
    "1.234,50",
    "１２",
    "(12)",
    "-(12)",
    "12万",
    "3千",
    "4K",
    "¥1,200.50",
    "999999999999999999",
    "9999999999999999999",
    "-999999999999999999",
    "12345678901234",
    "123456789012345",
    "12345678901234.1234",
    "12345678901234.12345",
    "1.23456",
    "-0.0001",
    " 42 ",
    "42 ",
    "\u00a042",
    "1 000",
    "NaN",
    "inf",
    "--5",
    "-",
    ".",
    "1..2",
    "2024-01-05",
    "2024-1-5",
    "2024-02-30",
    "2024-13-01",
    "0000-00-00",
    "2024-01-05 ",
    "2024/01/05",
    "2024.01.05",
    "20240105",
    "2024年1月5日",
    "45123",
    "45123.5",
    "05/01/2024",
    "2024-01-05 10:00",
    "2024-01-05 10:00:00",
    "2024-01-05T10:00:00",
    "2024-01-05T10:00",
    "2024-01-05 25:00:00",
    "2024-01-05 10:61:00",
    "2024-01-05 10:00:00+08",
    "2024-01-05 10:00:00+08:00",
    "2024-01-05T10:00:00Z",
    "2024-01-05T10:00-05:00",
    "2024-01-05T10:00-0500",
    "2024-01-05 10:00:00.123",
    "2024-01-05 1:2:3",
    "2024-01-05  10:00:00",
    "2024-02-30 10:00:00",
    "1999-12-31 23:59:59",
]

ALPHABET = "0123456789" * 3 + "-.+ :T/Z,e万()" + "\u00a0"


def _random_texts(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for _ in range(n):
        texts.append("".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 24))))
        # Near-ISO dates and timestamps, valid and not.
        y, m, d = rng.randint(1900, 2100), rng.randint(0, 13), rng.randint(0, 32)
        hh, mm, ss = rng.randint(0, 25), rng.randint(0, 61), rng.randint(0, 61)
        sep = rng.choice([" ", "T"])
        texts.append(f"{y:04d}-{m:02d}-{d:02d}")
        texts.append(f"{y:04d}-{m:02d}-{d:02d}{sep}{hh:02d}:{mm:02d}" + rng.choice(["", f":{ss:02d}"]))
        # Numbers around the fast paths' length limits.
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 20)))
        decimals = "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 6)))
        texts.append(rng.choice(["", "-"]) + digits + (f".{decimals}" if decimals else ""))
    return texts


PAIRS = [
    ("sp_integer_text({v})", "sp_integer(sp_number({v}))"),
    ("sp_integer_text_comma({v})", "sp_integer(sp_number_comma({v}))"),
    ("sp_decimal_text({v})", "sp_decimal(sp_number({v}))"),
    ("sp_decimal_text_comma({v})", "sp_decimal(sp_number_comma({v}))"),
    ("sp_date({v})", "sp_date_any({v})"),
    ("sp_timestamp({v}, 'Asia/Shanghai')", "sp_timestamp_offset({v}, 'Asia/Shanghai')"),
]


@pytest.mark.parametrize(("fast", "full"), PAIRS, ids=[pair[0].split("(")[0] for pair in PAIRS])
def test_fast_path_equals_full_reading(fast, full):
    con = duckdb.connect()
    install_macros(con)
    texts = HANDPICKED + _random_texts(1500)
    con.execute("create table cells as select unnest($texts::varchar[]) as raw", {"texts": texts})
    # As the typing query calls them (trimmed text, null when empty) and on raw text.
    for value in ("sp_text(raw)", "raw"):
        differ = con.execute(
            f"select raw, {fast.format(v=value)} as fast, {full.format(v=value)} as full from cells "
            f"where {fast.format(v=value)} is distinct from {full.format(v=value)}"
        ).fetchall()
        assert differ == [], differ[:10]
    # The corpus reaches the fast path and the full reading both.
    fast_hits = con.execute(
        f"select count(*) filter (where {fast.format(v='sp_text(raw)')} is not null) from cells"
    ).fetchone()[0]
    assert 0 < fast_hits < len(texts)


def test_typed_values_on_plain_cells():
    """Independent of the macros' own definitions: what plain cells become."""
    con = duckdb.connect()
    install_macros(con)
    row = con.execute(
        "select sp_integer_text('42'), sp_integer_text('1.5'), sp_decimal_text('1234.5678'),"
        " sp_decimal_text('1.23456'), sp_date('2024-03-05'), sp_date('2024-02-30'),"
        " sp_timestamp('2024-03-05 08:09:10', 'Asia/Shanghai'),"
        " sp_timestamp('2024-03-05T00:00:00Z', 'Asia/Shanghai')"
    ).fetchone()
    assert row[0] == 42 and row[1] is None  # 1.5 is not an integer (a bigint cast would round it)
    assert str(row[2]) == "1234.5678" and row[3] is None  # more than 4 places: rejected, not rounded
    assert row[4] == date(2024, 3, 5) and row[5] is None
    assert str(row[6]) == "2024-03-05 08:09:10"
    assert str(row[7]) == "2024-03-05 08:00:00"  # UTC midnight is 08:00 in Shanghai
