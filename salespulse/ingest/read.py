"""Reading one export file into a table of strings with canonical column names.

Nothing is coerced here: every cell stays text so that a rejected row can be kept exactly as
it was exported. Decoding handles UTF-8, UTF-8 with BOM and GBK/GB18030; CSV goes through
pyarrow's parser (a slow exact path with the `csv` module only for files with ragged rows),
XLSX through python-calamine.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import functools
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from salespulse.contracts import Contract, normalize_header

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm", ".xls"}


class UnreadableFile(Exception):
    """The file cannot be read at all; it goes to quarantine with this message."""


class ReadProblem(Exception):
    """The file was read but cannot be loaded (unknown kind, missing required column,
    dates whose order the file does not tell)."""


@dataclass(frozen=True)
class ReadLimits:
    """What one file may ask of its reader. A file beyond a limit is quarantined with a reason
    naming the limit and its setting; memory and time are enforced on the child process that
    reads (`salespulse.ingest.isolate`), the others by the readers below, before the work."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_columns: int = 500
    max_cell_bytes: int = 256 * 1024
    max_sheet_cells: int = 5_000_000
    timeout_seconds: float = 120.0
    memory_bytes: int = 2048 * 1024 * 1024

    @classmethod
    def from_settings(cls, settings) -> ReadLimits:
        return cls(
            max_file_bytes=settings.max_file_mb * 1024 * 1024,
            max_columns=settings.max_columns,
            max_cell_bytes=settings.max_cell_kb * 1024,
            max_sheet_cells=settings.max_sheet_cells,
            timeout_seconds=settings.read_timeout_seconds,
            memory_bytes=settings.read_memory_mb * 1024 * 1024,
        )

    def file_size_problem(self, size: int) -> str | None:
        if size > self.max_file_bytes:
            return (
                f"the file is {_size(size)}, over the limit of {_size(self.max_file_bytes)} "
                "(SALESPULSE_MAX_FILE_MB)"
            )
        return None

    def columns_problem(self, columns: int, where: str) -> str | None:
        if columns > self.max_columns:
            return (
                f"{where} has {columns:,} columns, more than the limit of {self.max_columns:,} "
                "(SALESPULSE_MAX_COLUMNS)"
            )
        return None


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} bytes"


def check_cells(table: pa.Table, headers: list[str], limits: ReadLimits, first_row: int = 1) -> None:
    """Refuse a file with a cell over the cell-size limit, naming the column and the row."""
    for index, name in enumerate(table.column_names):
        if not name.startswith("c") or not name[1:].isdigit():
            continue
        lengths = pc.binary_length(table.column(name))
        longest = pc.max(lengths).as_py()
        if longest is not None and longest > limits.max_cell_bytes:
            index_of_row = pc.index(lengths, longest).as_py()
            row = (
                table.column("_row_number")[index_of_row].as_py()
                if "_row_number" in table.column_names
                else index_of_row + first_row
            )
            header = headers[index] if index < len(headers) else name
            raise UnreadableFile(
                f"a cell of column {header!r} on data row {row} is {_size(longest)}, over the limit of "
                f"{_size(limits.max_cell_bytes)} (SALESPULSE_MAX_CELL_KB)"
            )


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
    copies: dict[str, int] = field(default_factory=dict)  # `copy_of` column → position it reads
    defaults: list[str] = field(default_factory=list)  # columns without a header, read as `default`

    def position(self, name: str) -> int | None:
        """The file column a canonical column reads, directly or as a copy; None if it has none."""
        for position, mapped in self.mapping.items():
            if mapped == name:
                return position
        return self.copies.get(name)

    @property
    def signature(self) -> tuple:
        return (
            tuple(sorted(self.mapping.items())),
            tuple(sorted(self.extra.items())),
            tuple(sorted(self.copies.items())),
            tuple(self.defaults),
        )

    def problem(self, contract: Contract) -> str | None:
        """Why a file with these headers cannot be loaded at all, or None."""
        if self.duplicates:
            return f"columns appear twice: {', '.join(self.duplicates)}"
        if self.missing_required:
            tried = []
            for name in self.missing_required:
                column = contract.column(name)
                if column.copy_of:
                    tried.append(f"'{name}' (a copy of '{column.copy_of}', which the file does not have)")
                else:
                    tried.append(f"'{name}' (tried: {', '.join([name, *column.aliases])})")
            return f"missing required column {'; '.join(tried)}"
        return None

    def sources(self, contract: Contract, headers: list[str]) -> list[dict]:
        """The header → column table: for every canonical column, the header it reads and
        where that mapping comes from (canonical name, override alias, shipped alias, copy_of,
        default), or that it is empty."""
        rows = []
        for column in contract.columns:
            position = self.position(column.name)
            if column.name in self.copies:
                source = f"copy_of {column.copy_of}"
            elif position is not None:
                source = column.header_source(headers[position])
            elif column.name in self.defaults:
                source = f"default {column.default}"
            else:
                source = "not in the file (empty)"
            rows.append(
                {
                    "column": column.name,
                    "header": headers[position] if position is not None else None,
                    "source": source,
                }
            )
        return rows


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when every other byte of the start is NUL (ASCII text saved as
    UTF-16 without a byte-order mark), else None."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text; returns (text, encoding used).

    Byte-order marks and strict decoding decide first (UTF-8, UTF-16), statistics last: a
    detector guessing among single-byte code pages garbles text silently.
    """
    text, used, _ = _decode(data, encoding)
    return text, used


def _decode(data: bytes, encoding: str | None) -> tuple[str, str, bytes | None]:
    """`decode`, plus the text's UTF-8 bytes when choosing the encoding needed them."""
    if encoding:
        try:
            return data.decode(encoding), encoding, None
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"cannot decode as {encoding} (contract setting): {exc}") from exc
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", None
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"starts with a UTF-8 BOM but is not valid UTF-8: {exc}") from exc
    utf16 = "utf-16" if data.startswith(_UTF16_BOMS) else _utf16_without_bom(data)
    if utf16:
        try:
            return data.decode(utf16).removeprefix("\ufeff"), utf16, None
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"looks like UTF-16 (Excel 'Unicode text') but is not valid: {exc}") from exc
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UnreadableFile(_nul_message(data, nul, "byte"))
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        return *mixed, None
    # GB18030 or cp1252 (Chinese or Western Excel), decoded only as far as the choice needs.
    try:
        gbk_text = data.decode("gb18030")
    except UnicodeDecodeError:
        gbk_text = None
    if gbk_text is not None:
        utf8 = gbk_text.encode("utf-8")
        if _reads_as_chinese(data, utf8):
            return gbk_text, "gb18030", utf8
    with contextlib.suppress(UnicodeDecodeError):
        return data.decode("cp1252"), "cp1252", None
    if gbk_text is not None:
        return gbk_text, "gb18030", utf8
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise UnreadableFile("cannot detect the text encoding (tried utf-8, utf-16, gb18030, cp1252)")
    try:
        return data.decode(best.encoding), best.encoding, None
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"mixed or broken encoding: {exc}") from exc


def _reads_as_chinese(data: bytes, gbk_utf8: bytes) -> bool:
    """Whether GB18030 rather than cp1252 reads bytes both could decode (`gbk_utf8`: GB18030's
    text as UTF-8). Chinese text spends two high bytes per character; Latin text one high byte
    (é, ü) between ASCII letters, which GB18030 would pair with the next letter into a wrong
    character."""
    high = int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80))
    gbk_chars = int(np.count_nonzero(np.frombuffer(gbk_utf8, dtype=np.uint8) >= 0xC0))  # UTF-8 lead bytes
    return bool(gbk_chars) and high >= 1.5 * gbk_chars


# One UTF-8 character other than U+FFFD (written as RE2 byte escapes: Arrow matches binary
# values byte by byte), strictly as Python's decoder accepts it: no overlong forms, no
# surrogates, nothing above U+10FFFF.
_UTF8_MULTIBYTE = (
    r"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee][\x80-\xbf]{2}"
    r"|\xef[\x80-\xbe][\x80-\xbf]|\xef\xbf[\x80-\xbc\xbe\xbf]|\xed[\x80-\x9f][\x80-\xbf]"
    r"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_UTF8_CHAR = rf"(?:[\x00-\x09\x0b-\x7f]|{_UTF8_MULTIBYTE})"
# A line (with its line feed) that is valid UTF-8 and holds non-ASCII text.
_UTF8_LINE = rf"^{_UTF8_CHAR}*(?:{_UTF8_MULTIBYTE}){_UTF8_CHAR}*\n?$"


def _has_utf8_line(data: bytes) -> bool:
    """Whether some line of `data` is valid UTF-8 with non-ASCII text (U+FFFD aside). RE2 runs
    over the lines as one binary array: 0.15 s for a 92 MB GBK file, against 0.65 s for
    decoding it with replacement characters and searching the text."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0x0A) + 1
    if not len(ends) or ends[-1] != len(data):
        ends = np.append(ends, len(data))
    offsets = np.concatenate([[0], ends]).astype(np.int64)
    lines = pa.Array.from_buffers(
        pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return bool(pc.any(pc.match_substring_regex(lines, _UTF8_LINE)).as_py())


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """A file that is not UTF-8 as a whole but has some UTF-8 lines (two exports pasted
    together) is decoded line by line: UTF-8 where a line is valid UTF-8, else GB18030.
    Returns None when no line is UTF-8 with non-ASCII text (a plain GBK file)."""
    if not _has_utf8_line(data):
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


def _nul_message(data, offset: int, what: str) -> str:
    line = data.count(b"\n" if isinstance(data, bytes) else "\n", 0, offset) + 1
    return (
        f"a NUL {what} on line {line} (offset {offset:,}): text exports never contain one; "
        "a binary file, or an export damaged in transfer"
    )


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    """Control characters in the text: a binary file that happened to decode. (U+FFFD is a
    character like any other in text that decoded strictly.)"""
    sample = text[:20000]
    if not sample:
        return False
    return len(_CONTROL.findall(sample)) / len(sample) > 0.01


def _strings_table(columns: list[list[str | None]]) -> pa.Table:
    return pa.table({f"c{i}": pa.array(col, type=pa.string()) for i, col in enumerate(columns)})


@dataclass(frozen=True)
class Reading:
    """How to read a file before its headers are known: a contract's sheet, header row and
    forced encoding (`Contract.reading`)."""

    sheet: str | int | None = None
    header_row: int = 1
    encoding: str | None = None

    @classmethod
    def of(cls, contract: Contract | None) -> Reading:
        return cls(*contract.reading) if contract is not None else cls()


def _read_csv_text(
    text: str,
    payload: bytes | pa.Buffer,
    delimiter: str,
    header_row: int,
    limits: ReadLimits,
    whole_text: Callable[[], str] | None = None,
) -> tuple[list[str], pa.Table, list[tuple[int, str, str]]]:
    """`text` holds at least the lines up to the header; `whole_text()` gives the whole file's
    text when `text` does not (read only by the exact path for ragged rows)."""

    def lines_after_header() -> io.StringIO:
        # Only the exact path reads past the header: a StringIO of the whole text costs as
        # much as pyarrow's parse of it.
        lines = io.StringIO(whole_text() if whole_text is not None else text)
        for _ in range(header_row):
            lines.readline()
        return lines

    start = 0
    for _ in range(header_row - 1):
        start = text.find("\n", start) + 1 or len(text)
    end = text.find("\n", start)
    header_line = text[start : end + 1 if end >= 0 else len(text)]
    limit = csv.field_size_limit(limits.max_cell_bytes)
    try:
        first_line = next(csv.reader(io.StringIO(header_line), delimiter=delimiter), [])
    except csv.Error as exc:
        raise UnreadableFile(
            f"a header cell is over the limit of {_size(limits.max_cell_bytes)} (SALESPULSE_MAX_CELL_KB)"
            if "field larger" in str(exc)
            else f"the header is not readable as CSV: {exc}"
        ) from exc
    finally:
        csv.field_size_limit(limit)
    headers = [h.strip() for h in first_line]
    if not any(headers):
        where = "no header row" if header_row == 1 else f"no header on line {header_row} (header_row)"
        raise UnreadableFile(where)
    width = len(headers)
    names = [f"c{i}" for i in range(width)]
    bad: list[tuple[int, str, str]] = []

    def on_invalid(row):  # called only for ragged rows; switches to the exact path below
        bad.append((row.number or -1, row.text, ""))
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(payload),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=header_row, use_threads=True),
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
            check_cells(table, headers, limits)
            return headers, table, []
    except pa.ArrowInvalid:
        pass  # e.g. an unterminated quote: the exact path below keeps what can be kept
    # Ragged rows (a file cut off mid-row, an unquoted delimiter): re-read exactly so that
    # row numbers are right and the bad rows are kept with their text.
    rows: list[list[str]] = []
    bad = []
    reader = csv.reader(lines_after_header(), delimiter=delimiter)
    number = 0
    limit = csv.field_size_limit(limits.max_cell_bytes)
    try:
        for record in reader:
            if not record:
                continue
            number += 1
            if len(record) != width:
                line = delimiter.join(record)
                bad.append((number, line[:2000], f"row has {len(record)} fields, the header has {width}"))
                continue
            rows.append(record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(
                f"a cell on data row {number + 1} is over the limit of {_size(limits.max_cell_bytes)} "
                "(SALESPULSE_MAX_CELL_KB)"
            ) from exc
        raise UnreadableFile(f"not readable as CSV from data row {number + 1}: {exc}") from exc
    finally:
        csv.field_size_limit(limit)
    columns = [[row[i] for row in rows] for i in range(width)]
    table = _strings_table(columns)
    check_cells(table, headers, limits)
    row_numbers = [n for n in range(1, number + 1) if n not in {b[0] for b in bad}]
    return headers, table.append_column("_row_number", pa.array(row_numbers, type=pa.int64())), bad


# What a plain UTF-8 file decodes of itself before pyarrow parses it: enough for the binary
# check (20,000 characters) and at least the lines up to the header.
_HEAD_BYTES = 96 * 1024


def _valid_utf8(data: bytes) -> bool:
    """Whether `data` is valid UTF-8, checked by Arrow without building a str (0.04 s against
    `bytes.decode`'s 0.13 s for 100 MB, and no 100-400 MB string)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    blob = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        blob.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _plain_utf8(data: bytes, reading: Reading) -> tuple[str, pa.Buffer, str] | None:
    """(head text, payload, encoding) of a file that `decode` would read as UTF-8 (with or
    without BOM) and whose line ends have a line feed: pyarrow parses its bytes as they are,
    and only the head is decoded here. None: the general path decides."""
    if reading.encoding is not None or data.startswith(_UTF16_BOMS) or _utf16_without_bom(data):
        return None
    if data.find(b"\x00") >= 0:
        return None  # the general path names the NUL
    bom = data.startswith(codecs.BOM_UTF8)
    if b"\n" not in data or not _valid_utf8(data):
        return None
    start = 3 if bom else 0
    cut = start
    for _ in range(reading.header_row):
        cut = data.find(b"\n", cut) + 1 or len(data)
    cut = max(cut, min(len(data), start + _HEAD_BYTES))
    head = data[start:cut].decode("utf-8", errors="ignore")  # the cut may split a character
    return head, pa.py_buffer(data)[start:], "utf-8-sig" if bom else "utf-8"


def read_csv(data: bytes, reading: Reading = Reading(), limits: ReadLimits = ReadLimits()) -> RawTable:
    if not data or data.isspace():
        raise UnreadableFile("empty file")
    plain = _plain_utf8(data, reading)
    if plain is not None:
        text, payload, used = plain
        whole_text = functools.partial(_whole_text, data, used)
        return _read_csv_decoded(text, payload, used, reading, limits, whole_text)
    text, used, utf8 = _decode(data, reading.encoding)
    return _read_csv_decoded(text, utf8, used, reading, limits, None, data)


def _whole_text(data: bytes, used: str) -> str:
    return data.decode("utf-8-sig" if used == "utf-8-sig" else "utf-8")


def _read_csv_decoded(
    text: str,
    payload: pa.Buffer | bytes | None,
    used: str,
    reading: Reading,
    limits: ReadLimits,
    whole_text: Callable[[], str] | None,
    data: bytes | None = None,
) -> RawTable:
    """The checks and the parse after decoding. `text` is the whole text (`payload`, if given,
    its UTF-8 bytes), or only its head when `payload` holds the file's UTF-8 bytes and
    `whole_text()` gives the rest."""
    nul = text.find("\x00")
    if nul >= 0:
        raise UnreadableFile(_nul_message(text, nul, f"character (decoded as {used})"))
    if _looks_binary(text):
        raise UnreadableFile(f"binary content: control characters in the text (decoded as {used})")
    # pyarrow parses UTF-8: hand it the original bytes when they already are.
    if payload is None and data is not None and used in ("utf-8", "utf-8-sig"):
        payload = pa.py_buffer(data)[3:] if used == "utf-8-sig" else data
    if "\n" not in text and "\r" in text:  # classic Mac line ends (CR only)
        text, payload = text.replace("\r", "\n"), None
    if payload is None:
        payload = text.encode("utf-8")
    start = 0
    for _ in range(reading.header_row - 1):
        start = text.find("\n", start) + 1 or len(text)
    end = text.find("\n", start)
    first = text[start : end if end >= 0 else len(text)]
    counts = {sep: first.count(sep) for sep in (",", "\t", ";")}
    delimiter = max(counts, key=lambda sep: (counts[sep], sep == ","))
    where = "the header" if reading.header_row == 1 else f"the header (line {reading.header_row})"
    problem = limits.columns_problem(counts[delimiter] + 1, where)
    if problem:
        raise UnreadableFile(problem)
    headers, table, bad = _read_csv_text(text, payload, delimiter, reading.header_row, limits, whole_text)
    return RawTable(headers, table, used, bad)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # 15 significant digits, as Excel shows them: 123.45000000000002 is 123.45.
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    if hasattr(value, "isoformat"):
        is_datetime = hasattr(value, "hour") and hasattr(value, "year")
        text = value.isoformat(sep=" ") if is_datetime else value.isoformat()
        return text.removesuffix(" 00:00:00")
    return str(value)


def _pick_sheet(names: list[str], sheet: str | int | None) -> int:
    if sheet is None:
        return 0
    listing = ", ".join(f"{i}: {name!r}" for i, name in enumerate(names, start=1))
    if isinstance(sheet, int):
        if sheet > len(names):
            raise UnreadableFile(
                f"the contract reads sheet {sheet}, the workbook has {len(names)} ({listing})"
            )
        return sheet - 1
    for i, name in enumerate(names):
        if name == sheet or name.strip().casefold() == str(sheet).strip().casefold():
            return i
    raise UnreadableFile(f"the contract reads sheet {sheet!r}, the workbook has no such sheet ({listing})")


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
_SHEET_ENTRY = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _sheet_part(archive: zipfile.ZipFile, index: int) -> str | None:
    """The zip member of the index-th sheet of an .xlsx workbook (workbook order)."""
    try:
        workbook = archive.read("xl/workbook.xml")[:1_000_000]
        rels = archive.read("xl/_rels/workbook.xml.rels")[:1_000_000]
    except KeyError:
        return None
    sheets = [dict(_ATTRIBUTE.findall(entry)) for entry in _SHEET_ENTRY.findall(workbook)]
    if index >= len(sheets):
        return None
    rel_id = next((v for k, v in sheets[index].items() if k.endswith(b":id")), None)
    for entry in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(entry))
        if attributes.get(b"Id") == rel_id:
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _declared_dimension(data: bytes, index: int) -> tuple[str, int, int] | None:
    """(range, rows, columns) a sheet's XML declares in `<dimension ref=…>` (read from the first
    64 KB of the sheet, before any cell), or None when it declares none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            part = _sheet_part(archive, index)
            if part is None:
                return None
            with archive.open(part) as handle:
                head = handle.read(65536)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError, RuntimeError):
        return None  # the workbook reader gives the reason
    match = _DIMENSION.search(head)
    if not match:
        return None
    first_col, first_row, last_col, last_row = match.groups()
    last_col, last_row = last_col or first_col, last_row or first_row
    if not (first_col and first_row and last_col and last_row):
        return None
    rows = int(last_row) - int(first_row) + 1
    columns = _column_number(last_col) - _column_number(first_col) + 1
    label = f"{first_col.decode()}{first_row.decode()}:{last_col.decode()}{last_row.decode()}"
    return label, max(rows, 1), max(columns, 1)


def _check_sheet_shape(label: str, rows: int, columns: int, limits: ReadLimits, declared: str = "") -> None:
    problem = limits.columns_problem(columns, f"{label}{declared}")
    if problem:
        raise UnreadableFile(problem)
    if rows * columns > limits.max_sheet_cells:
        raise UnreadableFile(
            f"{label}{declared} spans {rows:,} rows x {columns:,} columns = {rows * columns:,} cells, "
            f"more than the limit of {limits.max_sheet_cells:,} (SALESPULSE_MAX_SHEET_CELLS)"
        )


def read_xlsx(data: bytes, reading: Reading = Reading(), limits: ReadLimits = ReadLimits()) -> RawTable:
    if not data:
        raise UnreadableFile("empty file (0 bytes)")
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise UnreadableFile(f"not a readable workbook (.xlsx/.xls): {exc}") from exc
    index = _pick_sheet(list(workbook.sheet_names), reading.sheet)
    label = f"sheet {index + 1} ({workbook.sheet_names[index]!r})"
    # The reader allocates the whole used range at once: a sheet declaring A1:XFD1048576 would
    # ask for 512 GB. Refuse it from the declaration, before reading a cell.
    if data.startswith(b"PK"):
        declared = _declared_dimension(data, index)
        if declared is not None:
            _check_sheet_shape(label, declared[1], declared[2], limits, f" (declared range {declared[0]})")
    try:
        sheet = workbook.get_sheet_by_index(index)
        _check_sheet_shape(label, sheet.height, sheet.width, limits)
        rows = sheet.to_python(skip_empty_area=False)
    except UnreadableFile:
        raise
    except MemoryError:
        raise
    except Exception as exc:
        raise UnreadableFile(f"{label} cannot be read: {exc}") from exc
    if reading.header_row > 1:
        rows = rows[reading.header_row - 1 :]
        if not rows or not any(cell not in (None, "") for cell in rows[0]):
            raise UnreadableFile(f"{label} has no header on row {reading.header_row} (header_row)")
    rows = [row for row in rows if any(cell not in (None, "") for cell in row)]
    if not rows:
        raise UnreadableFile(f"{label} is empty")
    headers = [_cell_text(cell).strip() for cell in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    body = rows[1:]
    columns = [[_cell_text(row[i]) if i < len(row) else "" for row in body] for i in range(width)]
    table = _strings_table(columns)
    check_cells(table, headers, limits)
    return RawTable(headers, table, "xlsx")


def read_file(
    path: Path, data: bytes | None = None, reading: Reading = Reading(), limits: ReadLimits = ReadLimits()
) -> RawTable:
    data = Path(path).read_bytes() if data is None else data
    suffix = Path(path).suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(data, reading, limits)
    if suffix in CSV_SUFFIXES:
        return read_csv(data, reading, limits)
    raise UnreadableFile(f"unsupported file type {suffix or '(none)'}: expected .csv, .xlsx or .xls")


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
    copies: dict[str, int] = {}
    defaults: list[str] = []
    missing: list[str] = []
    for column in contract.columns:
        if column.copy_of and column.copy_of in seen:
            copies[column.name] = seen[column.copy_of]
        elif column.name in seen:
            continue
        elif column.default is not None:
            defaults.append(column.name)
        elif column.required:
            missing.append(column.name)
    return HeaderMapping(mapping, extra, missing, duplicates, copies, defaults)


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


def read_export(
    path: Path,
    data: bytes,
    kind: str | None,
    contracts: dict[str, Contract],
    limits: ReadLimits = ReadLimits(),
) -> tuple[str, RawTable]:
    """Read a file and settle its kind: the given one, else the contract that maps its
    headers best, each contract's headers read the way it says (sheet, header row, encoding)."""
    if kind is not None:
        return kind, read_file(path, data, Reading.of(contracts[kind]), limits)
    by_reading: dict[Reading, list[str]] = {}
    for name, contract in contracts.items():
        by_reading.setdefault(Reading.of(contract), []).append(name)
    candidates: list[tuple[tuple, str, RawTable]] = []
    first_error: UnreadableFile | None = None
    tables: dict[Reading, RawTable] = {}
    for reading, kinds in by_reading.items():
        try:
            raw = tables[reading] = read_file(path, data, reading, limits)
        except UnreadableFile as exc:
            first_error = first_error or exc
            continue
        detected = detect_kind(raw.headers, {k: contracts[k] for k in kinds})
        if detected is not None:
            mapped = map_headers(raw.headers, contracts[detected])
            candidates.append(((len(mapped.mapping), -len(mapped.extra)), detected, raw))
    if not tables and first_error is not None:
        raise first_error
    candidates.sort(key=lambda c: c[0], reverse=True)
    if not candidates or (len(candidates) > 1 and candidates[0][0] == candidates[1][0]):
        headers = next(iter(tables.values())).headers
        raise ReadProblem(
            "cannot tell which kind of export this is: its headers "
            f"{headers[:12]} match no contract's required columns; "
            "put it in landing/<kind>/ or add header aliases to the contract"
        )
    _, kind, raw = candidates[0]
    return kind, raw


def kind_from_folder(folders, contracts: dict[str, Contract]) -> str | None:
    """The kind named by a file's folders under landing/ (`orders/`, `订单/`), if any."""
    for part in folders:
        key = normalize_header(part)
        for kind, contract in contracts.items():
            if key in {normalize_header(kind), *(normalize_header(f) for f in contract.folders)}:
                return kind
    return None


def folders_under(path: Path, landing: Path) -> tuple[str, ...]:
    """The folders between landing/ and a file; for a file elsewhere, its parent folder."""
    try:
        return Path(path).resolve().relative_to(Path(landing).resolve()).parts[:-1]
    except ValueError:
        return Path(path).parts[:-1][-1:]
