"""`salespulse summary`: what is in the data home after a run, and where to look."""

from __future__ import annotations

import textwrap

import duckdb

from salespulse.config import Settings


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
        ).fetchall()
    ]


def print_summary(settings: Settings) -> int:
    print(f"\nsalespulse — data home {settings.home}")
    if not settings.warehouse_path.exists():
        print("  no warehouse yet: run `make demo`")
        return 1
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        raw = _tables(con, "raw")
        if "ingested_files" in raw:
            latest = con.execute(
                """
                select status, count(*), sum(rows_loaded)::bigint, sum(rows_rejected)::bigint, landed_at
                from raw.ingested_files
                where landed_at = (select max(landed_at) from raw.ingested_files)
                group by status, landed_at order by status
                """
            ).fetchall()
            # The files of the last run that found any: a run with nothing new in landing/ adds none.
            when = f" ({latest[0][4]:%Y-%m-%d %H:%M})" if latest and latest[0][4] else ""
            print(
                f"\nthe latest files landed{when}: "
                + ", ".join(f"{n} {status} ({rows:,} rows)" for status, n, rows, _, _ in latest)
            )
            print("\nall files ever landed (raw.ingested_files):")
            for status, files, loaded, rejected in con.execute(
                """
                select status, count(*), sum(rows_loaded)::bigint, sum(rows_rejected)::bigint
                from raw.ingested_files group by status order by status
                """
            ).fetchall():
                print(f"  {status:<17} {files:>5} files  {loaded:>10,} rows loaded  {rejected:>7,} rejected")
            for name, error in con.execute(
                "select file_name, error from raw.ingested_files "
                "where status = 'quarantined' order by file_id"
            ).fetchall():
                print(f"  quarantined: {name}: {error}")
        kinds = [
            t for t in raw if t not in ("ingested_files", "work_calendar") and not t.endswith("__rejects")
        ]
        if kinds:
            print("\nraw tables (rows / rejected rows):")
            for kind in kinds:
                rows = con.execute(f"select count(*) from raw.{kind}").fetchone()[0]
                rejects = con.execute(f"select count(*) from raw.{kind}__rejects").fetchone()[0]
                print(f"  raw.{kind:<20} {rows:>10,}  {rejects:>7,}")
        for schema in ("staging", "marts"):
            tables = _tables(con, schema)
            if tables:
                print(f"\n{schema}: {len(tables)} tables/views:")
                print(
                    textwrap.fill(", ".join(tables), width=100, initial_indent="  ", subsequent_indent="  ")
                )
    finally:
        con.close()
    briefs = (
        sorted(p for p in settings.briefs_dir.rglob("*.*") if p.is_file())
        if settings.briefs_dir.exists()
        else []
    )
    if briefs:
        print(f"\nbriefs: {len(briefs)} files, e.g.")
        for path in [p for p in briefs if p.suffix == ".pdf"][:4]:
            print(f"  {path.relative_to(settings.home)}")
    mails = list(settings.outbox_dir.rglob("*.eml")) if settings.outbox_dir.exists() else []
    if mails:
        print(f"outbox: {len(mails)} e-mails")
    print("\nwhere things are:")
    print(f"  warehouse   {settings.warehouse_path}  (duckdb; raw, staging, marts schemas; the pipeline's)")
    print(
        f"  analytics   {settings.analytics_path}  (the marts for analysts: make sql, then .tables, "
        "describe TABLE; make docs)"
    )
    print(f"  archive     {settings.archive_dir}")
    print(f"  quarantine  {settings.quarantine_dir}")
    print(f"  briefs      {settings.briefs_dir}")
    print(f"  outbox      {settings.outbox_dir}")
    print(f"  runs        {settings.dagster_home}  (the Dagster instance)")
    print("  Dagster UI  make dev  →  http://127.0.0.1:3000\n")
    return 0
