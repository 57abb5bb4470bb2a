"""Roster e-mail addresses and names are checked at ingest (issue #12, item 5): one RFC 5322
address per cell, no control character in a name or an address. A row that breaks this is
rejected with its reason, so that no brief is ever addressed from it; every address that loads
makes a valid e-mail header.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

import duckdb

from salespulse.briefs.deliver import Recipient, build_message
from salespulse.ingest.loader import Ingestor

HEADER = ["rep_id", "name", "team_id", "region", "role", "hire_date", "email", "effective_from"]
ROWS = {
    "R001": ("张三", "zhang.san@example.com"),
    "R002": ("李四", "li.si+sales@mail.example.cn"),
    "R003": ("王五", "a@example.com, b@example.com"),  # two recipients in one cell
    "R004": ("赵六", "zhao@example.com\nBcc: all@example.com"),  # a header injected
    "R005": ("钱七\r\nBcc: all@example.com", "qian@example.com"),
    "R006": ("孙八", "Sun Ba <sun@example.com>"),  # a display name, not an address
    "R007": ("周九", "zhou@@example.com"),
    "R008": ("吴十", ""),  # no address: the brief stays in the outbox
}


def test_bad_roster_addresses_and_names_are_rejected_with_their_reason(home, contracts):
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    for rep_id, (name, email) in ROWS.items():
        writer.writerow([rep_id, name, "T1", "华东", "rep", "2024-01-01", email, "2024-01-01"])
    path = home.landing_dir / "roster" / "roster.csv"
    path.parent.mkdir(parents=True)
    path.write_text(text.getvalue(), encoding="utf-8")
    con = duckdb.connect(str(home.warehouse_path))
    (result,) = Ingestor(con, home, contracts, now=datetime(2026, 3, 10, 18, 0)).run().files
    assert result.status == "partially_loaded" and (result.rows_loaded, result.rows_rejected) == (3, 5)
    loaded = dict(con.execute("select rep_id, email from raw.roster order by rep_id").fetchall())
    assert loaded == {"R001": "zhang.san@example.com", "R002": "li.si+sales@mail.example.cn", "R008": None}
    reasons = dict(con.execute("select rep_id, _reasons from raw.roster__rejects").fetchall())
    assert set(reasons) == {"R003", "R004", "R005", "R006", "R007"}
    for rep_id in ("R003", "R004", "R006", "R007"):
        assert (
            reasons[rep_id].startswith("email: ") and "is not one e-mail address per cell" in reasons[rep_id]
        )
    assert reasons["R005"].startswith("name: ") and "without control characters" in reasons["R005"]
    for rep_id, email in loaded.items():
        if email:  # every address that loads makes a header the mailer accepts
            message = build_message(
                subject="s",
                sender="a@example.com",
                recipient=Recipient(email, rep_id),
                html="",
                text="",
                attachments=[],
            )
            assert message["To"].addresses[0].addr_spec == email
