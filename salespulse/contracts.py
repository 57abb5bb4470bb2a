"""Input contracts: one YAML file per input kind in `models/`, merged with a user's overrides.

A contract names the canonical columns of one kind of export, their types, which are
required, the keys, allowed values with their aliases, and the header aliases under which
CRMs and form tools export them. Contracts are validated when loaded: a malformed one fails
with the file and the field it is about.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ColumnType = Literal["string", "integer", "decimal", "number", "percent", "date", "timestamp", "boolean"]

KINDS = (
    "roster",
    "targets",
    "target_adjustments",
    "customers",
    "opportunities",
    "orders",
    "receivables",
    "payments",
    "daily_reports",
    "weekly_reports",
    "action_items",
)


class ContractError(ValueError):
    """A contract file that cannot be used; the message names the file and the field."""


def normalize_header(text: str) -> str:
    """Header comparison key: case, spaces, underscores and punctuation do not matter."""
    return re.sub(r"[\s_\-./:：（）()]+", "", str(text)).casefold()


class Column(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: ColumnType
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None
    value_aliases: dict[str, tuple[str, ...]] = {}
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    description: str | None = None

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
        if (self.min is not None or self.max is not None) and self.type not in (
            "integer",
            "decimal",
            "number",
            "percent",
        ):
            raise ValueError(f"min/max apply to numeric columns, not to type {self.type!r}")
        return self

    @property
    def header_keys(self) -> tuple[str, ...]:
        """Every header this column answers to, normalised, canonical name first."""
        seen: dict[str, None] = {normalize_header(self.name): None}
        for alias in self.aliases:
            seen[normalize_header(alias)] = None
        return tuple(seen)

    def value_map(self) -> dict[str, str]:
        """Normalised raw value → canonical value, for columns with allowed values."""
        mapping: dict[str, str] = {}
        for canonical in self.allowed or ():
            mapping[canonical.casefold()] = canonical
        for canonical, aliases in self.value_aliases.items():
            for alias in aliases:
                mapping[str(alias).strip().casefold()] = canonical
        return mapping


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
    require_one_of: tuple[tuple[str, ...], ...] = ()
    columns: tuple[Column, ...] = Field(min_length=1)

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
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required_columns(self) -> list[Column]:
        return [column for column in self.columns if column.required]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def header_lookup(self) -> dict[str, str]:
        """Normalised header → canonical column name."""
        return {header: column.name for column in self.columns for header in column.header_keys}


def _read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContractError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContractError(f"{path}: a contract must be a YAML mapping, got {type(data).__name__}")
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
    """Apply a user override: extra header/value aliases, replaced scalars, new columns."""
    merged = dict(base)
    for key, value in override.items():
        if key == "kind":
            continue
        if key != "columns":
            merged[key] = value
            continue
        if not isinstance(value, dict):
            raise ContractError(f"{path}: columns: an override lists columns as a mapping name → fields")
        columns = [dict(column) for column in base.get("columns", [])]
        by_name = {column.get("name"): column for column in columns}
        for name, fields in value.items():
            if not isinstance(fields, dict):
                raise ContractError(f"{path}: columns.{name}: expected a mapping of fields")
            if name not in by_name:
                new_column = {"name": name, **fields}
                columns.append(new_column)
                by_name[name] = new_column
                continue
            column = by_name[name]
            for field_name, field_value in fields.items():
                if field_name == "aliases":
                    column["aliases"] = [*column.get("aliases", []), *field_value]
                elif field_name == "value_aliases":
                    combined = {k: list(v) for k, v in (column.get("value_aliases") or {}).items()}
                    for canonical, aliases in field_value.items():
                        combined.setdefault(canonical, []).extend(aliases)
                    column["value_aliases"] = combined
                else:
                    column[field_name] = field_value
        merged["columns"] = columns
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
    missing = [kind for kind in KINDS if kind not in contracts]
    if missing:
        raise ContractError(f"{contracts_dir}: missing contracts for {missing}")
    if overrides_dir and Path(overrides_dir).is_dir():
        for path in Path(overrides_dir).glob("*.yaml"):
            if path.stem not in contracts:
                raise ContractError(f"{path}: overrides a kind that has no contract ({sorted(contracts)})")
    return contracts


def default_contracts() -> dict[str, Contract]:
    from salespulse.config import get_settings

    settings = get_settings()
    return load_contracts(settings.contracts_dir, settings.contract_overrides_dir)
