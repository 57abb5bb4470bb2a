"""Reprocess: read archived files again under today's contracts (`salespulse reprocess`).

A contract fixed after a file was quarantined, or changed so that it reads a column
differently, applies to the files already landed: each is read again from its archived copy,
keeps its file_id (so "latest file wins" still follows landing order), its earlier outcome
stays in the registry as `superseded`, and the rows of the earlier read are replaced.
"""

from __future__ import annotations

import duckdb

from salespulse.config import Settings
from salespulse.contracts import Contract
from salespulse.ingest.loader import Ingestor, IngestReport

REPROCESSABLE = ("loaded", "partially_loaded", "rejected", "quarantined")


def select_files(
    con: duckdb.DuckDBPyConnection,
    file_ids: list[int] | None = None,
    kind: str | None = None,
    quarantined: bool = False,
) -> list[int]:
    """The file_ids asked for: listed, every current file of a kind, every quarantined file."""
    chosen = set(file_ids or [])
    if kind:
        chosen |= {
            row[0]
            for row in con.execute(
                "select file_id from raw.ingested_files where kind = ? and status in (select unnest(?))",
                [kind, list(REPROCESSABLE)],
            ).fetchall()
        }
    if quarantined:
        chosen |= {
            row[0]
            for row in con.execute(
                "select file_id from raw.ingested_files where status = 'quarantined'"
            ).fetchall()
        }
    return sorted(chosen)


def reprocess_with(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    contracts: dict[str, Contract],
    file_ids: list[int] | None = None,
    kind: str | None = None,
    quarantined: bool = False,
) -> IngestReport:
    if kind is not None and kind not in contracts:
        raise ValueError(f"unknown kind {kind!r}; kinds: {', '.join(sorted(contracts))}")
    ingestor = Ingestor(con, settings, contracts)
    chosen = select_files(con, file_ids, kind, quarantined)
    return ingestor.reprocess(chosen) if chosen else IngestReport()


def reprocess(
    settings: Settings,
    contracts: dict[str, Contract],
    file_ids: list[int] | None = None,
    kind: str | None = None,
    quarantined: bool = False,
) -> IngestReport:
    """Reprocess in the warehouse file (the pipeline must not be writing it meanwhile)."""
    try:
        con = duckdb.connect(str(settings.warehouse_path), config=settings.duckdb_config())
    except duckdb.IOException as exc:
        raise ValueError(
            f"the warehouse {settings.warehouse_path} is busy (a pipeline run is writing it): try "
            "again when it ends, or launch the `reprocess` job in the Dagster UI, which waits its turn"
        ) from exc
    try:
        return reprocess_with(con, settings, contracts, file_ids, kind, quarantined)
    finally:
        con.close()
