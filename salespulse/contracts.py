"""Input contracts: one YAML file per input kind in `models/`, merged with a user's overrides.

A contract names the canonical columns of one kind of export, their types, which are
required, the keys, allowed values with their aliases, the header aliases under which CRMs
and form tools export them, and how to read the file (sheet, header row, decimal separator,
date formats, defaults for columns an export lacks). The files in `models/` are the list of
input kinds. Contracts are validated when loaded: a malformed one fails with the file and
the field it is about.
"""

from __future__ import annotations

import calendar
import contextlib
import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

if TYPE_CHECKING:
    from salespulse.config import Settings

ColumnType = Literal["string", "integer", "decimal", "number", "percent", "date", "timestamp", "boolean"]
NUMERIC_TYPES = ("integer", "decimal", "number", "percent")
DATE_TYPES = ("date", "timestamp")
# Per-file defaults: the date in the file's name (else its modification date), or the day it landed.
FILE_DEFAULTS = ("$file_date", "$landed_date")
DEFAULT_DATE_MIN = date(1990, 1, 1)
DEFAULT_DATE_MAX = "+1y"
_RELATIVE = re.compile(r"^([+-])(\d+)([ymd])$")
# Fields the loader fills in when it merges an override; never written in a contract file.
_RESERVED = {"user_aliases", "alias_moves", "override_file"}


class ContractError(ValueError):
    """A contract file that cannot be used; the message names the file and the field."""


def normalize_header(text: str) -> str:
    """Header comparison key: case, spaces, underscores and punctuation do not matter."""
    return re.sub(r"[\s_\-./:：（）()]+", "", str(text)).casefold()


def resolve_date_bound(bound: date | str, as_of: date) -> date:
    """A date bound: an ISO date, or relative to the as-of date (`+1y`, `-6m`, `+30d`)."""
    if isinstance(bound, date):
        return bound
    match = _RELATIVE.match(bound.strip())
    if not match:
        return date.fromisoformat(bound.strip())
    n = int(match.group(2)) * (1 if match.group(1) == "+" else -1)
    if match.group(3) == "d":
        return as_of + timedelta(days=n)
    year, month = divmod(as_of.year * 12 + as_of.month - 1 + (n * 12 if match.group(3) == "y" else n), 12)
    return date(year, month + 1, min(as_of.day, calendar.monthrange(year, month + 1)[1]))


def _check_date_bound(value) -> date | str:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if _RELATIVE.match(text):
        return text
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{value!r} is neither a date (YYYY-MM-DD) nor relative to the as-of date (+1y, -6m, +30d)"
        ) from exc


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: ColumnType
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None
    value_aliases: dict[str, tuple[str, ...]] = {}
    # Numeric columns: numbers. Date and timestamp columns: a date or `+1y`-style bound.
    min: float | date | str | None = None
    max: float | date | str | None = None
    pattern: str | None = None
    description: str | None = None
    # Read from the same header as another column (then this column's own value aliases apply).
    copy_of: str | None = None
    # The value when the export has no such column or the cell is empty: a constant, or
    # $file_date / $landed_date.
    default: str | int | float | date | None = None
    # Date/timestamp columns: strptime formats tried in order; nothing else is guessed.
    formats: tuple[str, ...] = ()
    # Filled by the loader: the aliases that came from the user's override.
    user_aliases: tuple[str, ...] = ()

    @field_validator("formats")
    @classmethod
    def _formats(cls, formats: tuple[str, ...]) -> tuple[str, ...]:
        for fmt in formats:
            if "%" not in fmt:
                raise ValueError(f"format {fmt!r} has no strptime code (e.g. '%m-%d-%y')")
        return formats

    @model_validator(mode="after")
    def _check(self) -> Column:
        if self.value_aliases and not self.allowed:
            raise ValueError("value_aliases needs an `allowed` list")
        for canonical in self.value_aliases:
            if canonical not in (self.allowed or ()):
                raise ValueError(f"value_aliases key {canonical!r} is not in allowed {list(self.allowed)}")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern {self.pattern!r} is not a regular expression: {exc}") from exc
        for bound_name in ("min", "max"):
            bound = getattr(self, bound_name)
            if bound is None:
                continue
            if self.type in NUMERIC_TYPES:
                if not isinstance(bound, int | float):
                    raise ValueError(f"{bound_name}: a numeric column's bound is a number, got {bound!r}")
            elif self.type in DATE_TYPES:
                object.__setattr__(self, bound_name, _check_date_bound(bound))
            else:
                raise ValueError(f"min/max apply to numeric and date columns, not to type {self.type!r}")
        if self.formats and self.type not in DATE_TYPES:
            raise ValueError(f"formats apply to date and timestamp columns, not to type {self.type!r}")
        if self.default is not None:
            self._check_default()
        return self

    def _check_default(self) -> None:
        value = self.default
        if isinstance(value, str) and value.startswith("$"):
            if value not in FILE_DEFAULTS:
                raise ValueError(f"default {value!r}: the file placeholders are {', '.join(FILE_DEFAULTS)}")
            if self.type not in (*DATE_TYPES, "string"):
                raise ValueError(f"default {value!r} is a date; column type is {self.type!r}")
            return
        if self.allowed and str(value).strip().casefold() not in self.value_map():
            raise ValueError(f"default {value!r} is not an allowed value ({', '.join(self.allowed)})")
        if self.type in NUMERIC_TYPES:
            try:
                float(value)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"default {value!r} is not a number") from exc
        if self.type == "date" and not isinstance(value, date):
            try:
                date.fromisoformat(str(value))
            except ValueError as exc:
                raise ValueError(f"default {value!r} is not a date (YYYY-MM-DD)") from exc

    @property
    def header_keys(self) -> tuple[str, ...]:
        """Every header this column answers to, normalised, canonical name first. A column
        that is a copy of another reads that column's header instead."""
        if self.copy_of:
            return ()
        seen: dict[str, None] = {normalize_header(self.name): None}
        for alias in self.aliases:
            seen[normalize_header(alias)] = None
        return tuple(seen)

    def header_source(self, header: str) -> str:
        """Where the mapping of `header` to this column comes from."""
        key = normalize_header(header)
        if key == normalize_header(self.name):
            return "canonical name"
        if key in {normalize_header(alias) for alias in self.user_aliases}:
            return "override alias"
        return "shipped alias"

    def value_map(self) -> dict[str, str]:
        """Normalised raw value → canonical value, for columns with allowed values."""
        mapping: dict[str, str] = {}
        for canonical in self.allowed or ():
            mapping[canonical.casefold()] = canonical
        for canonical, aliases in self.value_aliases.items():
            for alias in aliases:
                mapping[str(alias).strip().casefold()] = canonical
        return mapping

    def date_bounds(self, as_of: date) -> tuple[date, date] | None:
        """[min, max] of a date or timestamp column as of a date (defaults 1990-01-01, +1y)."""
        if self.type not in DATE_TYPES:
            return None
        low = resolve_date_bound(self.min if self.min is not None else DEFAULT_DATE_MIN, as_of)
        high = resolve_date_bound(self.max if self.max is not None else DEFAULT_DATE_MAX, as_of)
        return low, high


class AliasMove(BaseModel):
    """A header alias an override took from the shipped column that had it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alias: str
    from_column: str
    to_column: str


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    description: str = ""
    folders: tuple[str, ...] = ()
    keys: tuple[str, ...]
    allow_duplicate_keys: bool = False
    extra_columns: Literal["keep", "ignore"] = "ignore"
    encoding: str | None = None
    # Workbooks: the sheet's name or 1-based number (default: the first sheet).
    sheet: str | int | None = None
    # 1-based line (CSV) or row (workbook) of the header; the lines above it are skipped.
    header_row: int = Field(default=1, ge=1)
    decimal_separator: Literal[".", ","] = "."
    require_one_of: tuple[tuple[str, ...], ...] = ()
    # Date columns the reporting window and the working-day calendar must cover.
    business_dates: tuple[str, ...] = ()
    # The dbt staging model that keeps this kind's current rows (default stg_raw__<kind>): the
    # row flow (marts.audit_row_flow) counts a raw row as reaching the marts when it is there.
    staging_model: str | None = Field(default=None, pattern=r"^stg_raw__[a-z0-9_]+$")
    columns: tuple[Column, ...] = Field(min_length=1)
    # Filled by the loader when an override applies.
    alias_moves: tuple[AliasMove, ...] = ()
    override_file: str | None = None

    @field_validator("sheet")
    @classmethod
    def _sheet(cls, sheet: str | int | None) -> str | int | None:
        if isinstance(sheet, int) and sheet < 1:
            raise ValueError("a sheet number is 1-based (1 is the first sheet)")
        return sheet

    @model_validator(mode="after")
    def _check(self) -> Contract:
        names = [column.name for column in self.columns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"columns: duplicate column names {duplicates}")
        for key in self.keys:
            if key not in names:
                raise ValueError(f"keys: {key!r} is not a column")
        for group in self.require_one_of:
            for name in group:
                if name not in names:
                    raise ValueError(f"require_one_of: {name!r} is not a column")
        by_name = {column.name: column for column in self.columns}
        for name in self.business_dates:
            if name not in by_name or by_name[name].type not in DATE_TYPES:
                raise ValueError(f"business_dates: {name!r} is not a date or timestamp column")
        for column in self.columns:
            if column.copy_of is None:
                continue
            source = by_name.get(column.copy_of)
            if source is None or column.copy_of == column.name:
                raise ValueError(
                    f"columns.{column.name}.copy_of: {column.copy_of!r} is not another column of "
                    f"{self.kind} (columns: {', '.join(names)})"
                )
            if source.copy_of is not None:
                raise ValueError(
                    f"columns.{column.name}.copy_of: {column.copy_of!r} is itself a copy of "
                    f"{source.copy_of!r}; copy from {source.copy_of!r}"
                )
        for key in self.keys:
            default = by_name[key].default
            if default is not None and default not in FILE_DEFAULTS:
                raise ValueError(
                    f"columns.{key}.default: a constant default on key column {key!r} gives every "
                    "row of every file the same key, so each file would replace the one before; "
                    f"use one of {', '.join(FILE_DEFAULTS)} or map the column"
                )
        owner: dict[str, str] = {}
        for column in self.columns:
            for header in column.header_keys:
                if header in owner and owner[header] != column.name:
                    raise ValueError(
                        f"columns.{column.name}.aliases: header {header!r} is also an alias of "
                        f"{owner[header]!r}"
                    )
                owner[header] = column.name
        if self.encoding:
            import codecs

            try:
                codecs.lookup(self.encoding)
            except LookupError as exc:
                raise ValueError(f"encoding: unknown encoding {self.encoding!r}") from exc
        return self

    @property
    def staged_in(self) -> str:
        return self.staging_model or f"stg_raw__{self.kind}"

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[Column]:
        """Columns a file must have a header for: required, not copied, no default."""
        return [c for c in self.columns if c.required and c.copy_of is None and c.default is None]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def header_lookup(self) -> dict[str, str]:
        """Normalised header → canonical column name."""
        return {header: column.name for column in self.columns for header in column.header_keys}

    @property
    def reading(self) -> tuple:
        """How a file of this kind is read before its headers are known (sheet, header row)."""
        return (self.sheet, self.header_row, self.encoding)


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContractError(f"{path}: a contract must be a YAML mapping, got {type(data).__name__}")
    reserved = _RESERVED & set(data)
    columns = data.get("columns")
    if isinstance(columns, list | dict):
        for column in columns.values() if isinstance(columns, dict) else columns:
            if isinstance(column, dict):
                reserved |= _RESERVED & set(column)
    if reserved:
        raise ContractError(f"{path}: {', '.join(sorted(reserved))}: reserved, filled in by the loader")
    return data


def _format_errors(path: Path, exc: ValidationError, data: dict) -> str:
    lines = [f"{path}: invalid contract"]
    for error in exc.errors():
        location = list(error["loc"])
        # Name columns by their `name`, not their index, when we can.
        if len(location) >= 2 and location[0] == "columns" and isinstance(location[1], int):
            with contextlib.suppress(IndexError, AttributeError, KeyError, TypeError):
                location[1] = data["columns"][location[1]].get("name", location[1])
        where = ".".join(str(part) for part in location) or "(contract)"
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


def _merge_override(base: dict, override: dict, path: Path) -> dict:
    """Apply a user override: extra header/value aliases, replaced scalars, new columns.

    An alias the override gives a column wins over a shipped alias of another column: it is
    moved, and the move is recorded (`salespulse contracts` prints it). An alias that is the
    canonical name of another column, or that two override columns claim, is an error.
    """
    merged = dict(base)
    moves: list[dict] = []
    for key, value in override.items():
        if key == "kind":
            continue
        if key == "allow_duplicate_keys" and value and not base.get("allow_duplicate_keys", False):
            raise ContractError(
                f"{path}: allow_duplicate_keys: {base.get('kind')} keeps one row per key "
                f"({', '.join(base.get('keys', []))}) downstream, the latest file's; repeated keys would "
                "be loaded and then dropped. Map a column that tells the rows apart to a key column "
                "instead (orders: `line_id` for order lines)."
            )
        if key != "columns":
            merged[key] = value
            continue
        if not isinstance(value, dict):
            raise ContractError(f"{path}: columns: an override lists columns as a mapping name → fields")
        columns = [dict(column) for column in base.get("columns", [])]
        by_name = {column.get("name"): column for column in columns}
        claimed: dict[str, str] = {}
        for name, fields in value.items():
            if not isinstance(fields, dict):
                raise ContractError(f"{path}: columns.{name}: expected a mapping of fields")
            for alias in fields.get("aliases", []) or []:
                header = normalize_header(alias)
                if header in claimed and claimed[header] != name:
                    raise ContractError(
                        f"{path}: columns.{name}.aliases: {alias!r} is also given to {claimed[header]!r}"
                    )
                claimed[header] = name
                for other in columns:
                    if other.get("name") == name:
                        continue
                    if normalize_header(other.get("name", "")) == header:
                        raise ContractError(
                            f"{path}: columns.{name}.aliases: {alias!r} is the canonical name of column "
                            f"{other['name']!r}, which always keeps it"
                        )
                    kept = [a for a in other.get("aliases", []) or [] if normalize_header(a) != header]
                    if len(kept) != len(other.get("aliases", []) or []):
                        other["aliases"] = kept
                        moves.append({"alias": alias, "from_column": other["name"], "to_column": name})
        for name, fields in value.items():
            if name not in by_name:
                new_column = {"name": name, **fields}
                if "aliases" in fields:
                    new_column["user_aliases"] = list(fields["aliases"])
                columns.append(new_column)
                by_name[name] = new_column
                continue
            column = by_name[name]
            for field_name, field_value in fields.items():
                if field_name == "aliases":
                    column["aliases"] = [*column.get("aliases", []), *field_value]
                    column["user_aliases"] = list(field_value)
                elif field_name == "value_aliases":
                    combined = {k: list(v) for k, v in (column.get("value_aliases") or {}).items()}
                    for canonical, aliases in field_value.items():
                        combined.setdefault(canonical, []).extend(aliases)
                    column["value_aliases"] = combined
                else:
                    column[field_name] = field_value
        merged["columns"] = columns
    merged["alias_moves"] = moves
    merged["override_file"] = str(path)
    return merged


def load_contract(path: Path, override_path: Path | None = None) -> Contract:
    data = _read_yaml(path)
    source = path
    if override_path is not None and override_path.is_file():
        data = _merge_override(data, _read_yaml(override_path), override_path)
        source = override_path
    try:
        return Contract.model_validate(data)
    except ValidationError as exc:
        raise ContractError(_format_errors(source, exc, data)) from exc


def shipped_kinds(contracts_dir: Path) -> list[str]:
    """The input kinds: one per contract file in `models/`."""
    return sorted(path.stem for path in Path(contracts_dir).glob("*.yaml"))


def load_contracts(contracts_dir: Path, overrides_dir: Path | None = None) -> dict[str, Contract]:
    """Load every contract in `contracts_dir`, applying `overrides_dir/<kind>.yaml` when present."""
    contracts_dir = Path(contracts_dir)
    files = sorted(contracts_dir.glob("*.yaml"))
    if not files:
        raise ContractError(f"{contracts_dir}: no contract files (*.yaml)")
    contracts: dict[str, Contract] = {}
    for path in files:
        override = Path(overrides_dir) / path.name if overrides_dir else None
        contract = load_contract(path, override)
        if contract.kind != path.stem:
            raise ContractError(f"{path}: kind: {contract.kind!r} does not match the file name {path.stem!r}")
        contracts[contract.kind] = contract
    if overrides_dir and Path(overrides_dir).is_dir():
        for path in Path(overrides_dir).glob("*.yaml"):
            if path.stem not in contracts:
                raise ContractError(f"{path}: overrides a kind that has no contract ({sorted(contracts)})")
    return contracts


def default_contracts(settings: Settings) -> dict[str, Contract]:
    """The contracts of SETTINGS: the shipped ones with the deployment's overrides."""
    return load_contracts(settings.contracts_dir, settings.contract_overrides_dir)
