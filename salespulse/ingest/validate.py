"""Check one export against its contract without loading anything (`salespulse validate FILE`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from salespulse.config import Settings
from salespulse.contracts import Contract
from salespulse.ingest.coerce import build_query, install_macros
from salespulse.ingest.read import (
    UnreadableFile,
    detect_kind,
    kind_from_folder,
    map_headers,
    read_file,
)


@dataclass
class Validation:
    file: str
    kind: str | None = None
    kind_source: str | None = None
    encoding: str | None = None
    header_mapping: dict[str, str] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    rows_in_file: int = 0
    rows_ok: int = 0
    rows_rejected: int = 0
    problems: list[dict] = field(default_factory=list)
    fatal: str | None = None

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.problems

    def as_dict(self) -> dict:
        return {**self.__dict__, "ok": self.ok}


def validate_file(
    path: Path, settings: Settings, contracts: dict[str, Contract], kind: str | None = None
) -> Validation:
    path = Path(path)
    result = Validation(file=str(path))
    data = path.read_bytes()
    if kind is None:
        kind = kind_from_folder(path, settings.landing_dir, contracts)
        result.kind_source = "folder" if kind else None
    else:
        result.kind_source = "option"
    try:
        raw = read_file(path, data, contracts[kind].encoding if kind else None)
    except UnreadableFile as exc:
        result.fatal = str(exc)
        return result
    result.encoding = raw.encoding
    if kind is None:
        kind = detect_kind(raw.headers, contracts)
        result.kind_source = "headers" if kind else None
    if kind is None:
        result.fatal = f"headers {raw.headers} match no contract's required columns"
        return result
    result.kind = kind
    contract = contracts[kind]
    mapping = map_headers(raw.headers, contract)
    result.header_mapping = {raw.headers[p]: name for p, name in mapping.mapping.items()}
    result.unknown_columns = list(mapping.extra.values())
    result.missing_required = mapping.missing_required
    result.rows_in_file = raw.rows_in_file
    result.fatal = mapping.problem(contract)
    if result.fatal:
        return result
    table = raw.table
    if "_row_number" not in table.column_names:
        table = table.append_column("_row_number", pa.array(range(1, table.num_rows + 1), type=pa.int64()))
    table = table.append_column("_file_id", pa.array([0] * table.num_rows, type=pa.int64()))
    con = duckdb.connect()
    install_macros(con)
    con.register("input_rows", table)
    query = build_query(contract, mapping.mapping, mapping.extra, settings.timezone)
    rows = con.execute(
        f"select _row_number, unnest(_reasons) from ({query}) where len(_reasons) > 0 order by 1"
    ).fetchall()
    bad_rows = {number for number, _ in rows}
    for number, reason in rows:
        column = reason.split(":", 1)[0] if ":" in reason and " " not in reason.split(":", 1)[0] else None
        result.problems.append({"row": number, "column": column, "problem": reason})
    for number, text, reason in raw.bad_rows:
        bad_rows.add(number)
        result.problems.append({"row": number, "column": None, "problem": f"{reason}: {text[:80]}"})
    result.problems.sort(key=lambda problem: problem["row"])
    result.rows_rejected = len(bad_rows)
    result.rows_ok = result.rows_in_file - result.rows_rejected
    return result
