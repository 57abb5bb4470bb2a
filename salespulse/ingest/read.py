"""Reading one export file into a table of strings with canonical column names.

Nothing is coerced here: every cell stays text so that a rejected row can be kept exactly as
it was exported. Decoding handles UTF-8, UTF-8 with BOM and GBK/GB18030; CSV goes through
pyarrow's parser (a slow exact path with the `csv` module only for files with ragged rows),
XLSX through python-calamine.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from salespulse.contracts import Contract, normalize_header

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


class UnreadableFile(Exception):
    """The file cannot be read at all; it goes to quarantine with this message."""


@dataclass
class RawTable:
    """A file's data rows as text, before header mapping."""

    headers: list[str]
    table: pa.Table  # columns c0..cN-1, all strings, one row per data record
    encoding: str
    bad_rows: list[tuple[int, str, str]] = field(default_factory=list)  # (row number, text, reason)

    @property
    def rows_in_file(self) -> int:
        return self.table.num_rows + len(self.bad_rows)


@dataclass
class HeaderMapping:
    mapping: dict[int, str]  # column position → canonical name
    extra: dict[int, str]  # column position → original header, for unknown columns
    missing_required: list[str]
    duplicates: list[str]

    def problem(self, contract: Contract) -> str | None:
        """Why a file with these headers cannot be loaded at all, or None."""
        if self.duplicates:
            return f"columns appear twice: {', '.join(self.duplicates)}"
        if self.missing_required:
            tried = "; ".join(
                f"'{name}' (tried: {', '.join([name, *contract.column(name).aliases])})"
                for name in self.missing_required
            )
            return f"missing required column {tried}"
        return None


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding used)."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"cannot decode as {encoding} (contract setting): {exc}") from exc
    if b"\x00" in data[:65536]:
        raise UnreadableFile("binary content (NUL bytes): not a text export")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"starts with a UTF-8 BOM but is not valid UTF-8: {exc}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return mixed
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise UnreadableFile("cannot detect the text encoding (tried utf-8, gb18030)")
    try:
        return data.decode(best.encoding), best.encoding
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"mixed or broken encoding: {exc}") from exc


# A line with non-ASCII text and no undecodable byte when read as UTF-8.
_UTF8_LINE = re.compile("^[^\n\ufffd]*[^\x00-\x7f\ufffd][^\n\ufffd]*$", re.MULTILINE)


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """A file that is not UTF-8 as a whole but has some UTF-8 lines (two exports pasted
    together) is decoded line by line: UTF-8 where a line is valid UTF-8, else GB18030.
    Returns None when no line is UTF-8 with non-ASCII text (a plain GBK file)."""
    if not _UTF8_LINE.search(data.decode("utf-8", errors="replace")):
        return None
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(line.decode("gb18030"))
            except UnicodeDecodeError as exc:
                raise UnreadableFile(f"a line is neither UTF-8 nor GB18030: {exc}") from exc
    return "\n".join(lines), "mixed utf-8/gb18030"


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls / len(sample) > 0.01 or "\ufffd" in sample


def _strings_table(columns: list[list[str | None]]) -> pa.Table:
    return pa.table({f"c{i}": pa.array(col, type=pa.string()) for i, col in enumerate(columns)})


def _read_csv_text(
    text: str, payload: bytes, delimiter: str
) -> tuple[list[str], pa.Table, list[tuple[int, str, str]]]:
    first_line = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 if "\n" in text else len(text)])), [])
    headers = [h.strip() for h in first_line]
    if not any(headers):
        raise UnreadableFile("no header row")
    width = len(headers)
    names = [f"c{i}" for i in range(width)]
    bad: list[tuple[int, str, str]] = []

    def on_invalid(row):  # called only for ragged rows; switches to the exact path below
        bad.append((row.number or -1, row.text, ""))
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(payload),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=True),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        if not bad:
            return headers, table, []
    except pa.ArrowInvalid:
        pass  # e.g. an unterminated quote: the exact path below keeps what can be kept
    # Ragged rows (a file cut off mid-row, an unquoted delimiter): re-read exactly so that
    # row numbers are right and the bad rows are kept with their text.
    rows: list[list[str]] = []
    bad = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    next(reader, None)
    number = 0
    for record in reader:
        if not record:
            continue
        number += 1
        if len(record) != width:
            bad.append(
                (number, delimiter.join(record), f"row has {len(record)} fields, the header has {width}")
            )
            continue
        rows.append(record)
    columns = [[row[i] for row in rows] for i in range(width)]
    table = _strings_table(columns)
    row_numbers = [n for n in range(1, number + 1) if n not in {b[0] for b in bad}]
    return headers, table.append_column("_row_number", pa.array(row_numbers, type=pa.int64())), bad


def read_csv(data: bytes, encoding: str | None = None) -> RawTable:
    if not data.strip():
        raise UnreadableFile("empty file")
    text, used = decode(data, encoding)
    if _looks_binary(text):
        raise UnreadableFile(f"binary or undecodable content (decoded as {used})")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    # pyarrow parses UTF-8: hand it the original bytes when they already are.
    payload = data[3:] if used == "utf-8-sig" else data if used == "utf-8" else text.encode("utf-8")
    headers, table, bad = _read_csv_text(text, payload, delimiter)
    return RawTable(headers, table, used, bad)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        is_datetime = hasattr(value, "hour") and hasattr(value, "year")
        text = value.isoformat(sep=" ") if is_datetime else value.isoformat()
        return text.removesuffix(" 00:00:00")
    return str(value)


def read_xlsx(data: bytes) -> RawTable:
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(f"not a readable XLSX workbook: {exc}") from exc
    rows = [row for row in rows if any(cell not in (None, "") for cell in row)]
    if not rows:
        raise UnreadableFile("the first sheet is empty")
    headers = [_cell_text(cell).strip() for cell in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    body = rows[1:]
    columns = [[_cell_text(row[i]) if i < len(row) else "" for row in body] for i in range(width)]
    return RawTable(headers, _strings_table(columns), "xlsx")


def read_file(path: Path, data: bytes | None = None, encoding: str | None = None) -> RawTable:
    data = Path(path).read_bytes() if data is None else data
    suffix = Path(path).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(data)
    if suffix in CSV_SUFFIXES:
        return read_csv(data, encoding)
    raise UnreadableFile(f"unsupported file type {suffix or '(none)'}: expected .csv or .xlsx")


def map_headers(headers: list[str], contract: Contract) -> HeaderMapping:
    lookup = contract.header_lookup()
    mapping: dict[int, str] = {}
    extra: dict[int, str] = {}
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for position, header in enumerate(headers):
        name = lookup.get(normalize_header(header))
        if name is None:
            if header:
                extra[position] = header
            continue
        if name in seen:
            duplicates.append(f"{name} (columns {seen[name] + 1} and {position + 1})")
            continue
        seen[name] = position
        mapping[position] = name
    missing = [column.name for column in contract.required_columns if column.name not in seen]
    return HeaderMapping(mapping, extra, missing, duplicates)


def detect_kind(headers: list[str], contracts: dict[str, Contract]) -> str | None:
    """The contract whose required columns are all present and which maps the most headers."""
    scored = []
    for kind, contract in contracts.items():
        result = map_headers(headers, contract)
        if not result.missing_required and not result.duplicates:
            scored.append((len(result.mapping), -len(result.extra), kind))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        return None
    return scored[0][2]


def kind_from_folder(path: Path, landing: Path, contracts: dict[str, Contract]) -> str | None:
    try:
        parts = Path(path).resolve().relative_to(Path(landing).resolve()).parts[:-1]
    except ValueError:
        parts = Path(path).parts[:-1][-1:]
    for part in parts:
        key = normalize_header(part)
        for kind, contract in contracts.items():
            if key in {normalize_header(kind), *(normalize_header(f) for f in contract.folders)}:
                return kind
    return None
