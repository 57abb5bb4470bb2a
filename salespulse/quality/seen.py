"""Which data-quality findings earlier runs have already reported (`dq_state.findings_seen`).

A rule check fails on news only; a finding counts as seen once the run that first saw it has
published analytics.duckdb (`confirm_findings`). What a run that died before then saw is news
again for the next run, so its digest and alert are not lost with the crash.
"""

import duckdb

SEEN_DDL = """
create schema if not exists dq_state;
create table if not exists dq_state.findings_seen (
    check_name varchar not null,
    finding_id varchar not null,
    first_seen_run_id varchar not null,
    first_seen_at timestamp not null,
    primary key (check_name, finding_id)
);
-- Seen by a run that published (rows from before this column existed count as published).
alter table dq_state.findings_seen add column if not exists confirmed boolean default true;
"""


def new_findings(con: duckdb.DuckDBPyConnection, check_name: str, findings, run_id: str):
    """The findings no run before `run_id` had seen (recorded now as seen by it). Evaluating the
    same run twice (the check and the digest) gives the same answer."""
    ids = findings[["finding_id"]].dropna().drop_duplicates()  # noqa: F841 (read by SQL)
    try:
        con.execute(SEEN_DDL)
        # Runs hold the warehouse one at a time: an unconfirmed row of another run is one that
        # died (or stopped) before publishing.
        con.execute(
            "delete from dq_state.findings_seen where not confirmed and first_seen_run_id <> ?", [run_id]
        )
        con.execute(
            "insert into dq_state.findings_seen by name"
            " select ? as check_name, finding_id, ? as first_seen_run_id,"
            " now()::timestamp as first_seen_at, false as confirmed"
            " from ids on conflict do nothing",
            [check_name, run_id],
        )
    except duckdb.InvalidInputException:
        # A read-only connection is an inspection, not a run: it cannot record what it saw, so
        # every finding counts (as without a run).
        return findings
    fresh = {
        r[0]
        for r in con.execute(
            "select finding_id from dq_state.findings_seen where check_name = ? and first_seen_run_id = ?",
            [check_name, run_id],
        ).fetchall()
    }
    return findings[findings["finding_id"].isin(fresh)]


def confirm_findings(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """Mark the findings `run_id` saw first as seen for good (its analytics.duckdb is out)."""
    exists = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'dq_state' and table_name = 'findings_seen'"
    ).fetchone()[0]
    if not exists:
        return 0
    con.execute(SEEN_DDL)
    return con.execute(
        "update dq_state.findings_seen set confirmed = true where first_seen_run_id = ? and not confirmed",
        [run_id],
    ).fetchone()[0]
