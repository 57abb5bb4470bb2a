"""Great Expectations suites for the raw tables, kept consistent with the contracts.

`expectations/<kind>.json` holds one GX suite per input kind. The expectations whose
`meta.source` is `contract` are derived from the contract (`salespulse expectations`
rewrites them); any other expectation in the file is the user's own and is preserved.
Validation runs on the rows one ingest run loaded, with one GX context per run.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salespulse.config import PROJECT_ROOT
from salespulse.contracts import NUMERIC_TYPES, Contract

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
CONTRACT = "contract"


def contract_expectations(contract: Contract) -> list[dict]:
    """The expectations a contract implies: required not null, allowed values, ranges."""
    expectations = []
    for column in contract.columns:
        meta = {"source": CONTRACT, "severity": "error"}
        if column.required:
            expectations.append(
                {
                    "type": "expect_column_values_to_not_be_null",
                    "kwargs": {"column": column.name},
                    "meta": meta,
                }
            )
        if column.allowed:
            expectations.append(
                {
                    "type": "expect_column_values_to_be_in_set",
                    "kwargs": {"column": column.name, "value_set": list(column.allowed)},
                    "meta": meta,
                }
            )
        # Date bounds are relative to the as-of date and enforced row by row at ingest.
        if column.type in NUMERIC_TYPES and (column.min is not None or column.max is not None):
            expectations.append(
                {
                    "type": "expect_column_values_to_be_between",
                    "kwargs": {"column": column.name, "min_value": column.min, "max_value": column.max},
                    "meta": meta,
                }
            )
    return expectations


def load_suite(kind: str, directory: Path = EXPECTATIONS_DIR) -> dict:
    path = Path(directory) / f"{kind}.json"
    if not path.is_file():
        return {"name": f"raw_{kind}", "expectations": [], "meta": {}}
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def suite_for(contract: Contract, existing: dict | None = None) -> dict:
    own = [e for e in (existing or {}).get("expectations", []) if e.get("meta", {}).get("source") != CONTRACT]
    return {
        "name": f"raw_{contract.kind}",
        "expectations": contract_expectations(contract) + own,
        "meta": {
            "description": (
                f"Checks on raw.{contract.kind} ({contract.title}). Expectations with "
                "meta.source=contract are generated from models/"
                f"{contract.kind}.yaml by `salespulse expectations`; add your own below them."
            )
        },
    }


def write_suites(contracts: dict[str, Contract], directory: Path = EXPECTATIONS_DIR) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, contract in contracts.items():
        path = directory / f"{kind}.json"
        suite = suite_for(contract, load_suite(kind, directory))
        path.write_text(json.dumps(suite, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


@dataclass
class SuiteResult:
    kind: str
    success: bool
    rows: int
    failures: list[dict] = field(default_factory=list)
    evaluated: int = 0

    @property
    def severity(self) -> str:
        """`error` when a contract-level expectation failed, else `warning`."""
        return "error" if any(f["severity"] == "error" for f in self.failures) else "warning"


_COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")


def suite_columns(kind: str, directory: Path = EXPECTATIONS_DIR) -> list[str] | None:
    """The columns the suite's expectations read, in first-use order; None when one of them
    reads the whole table (a table-level expectation, a row condition, or an expectation whose
    columns its kwargs do not name). Validation then loads only these columns: turning
    millions of rows of every column into a pandas frame costs more than the checks."""
    columns: list[str] = []
    for expectation in load_suite(kind, directory).get("expectations", []):
        kwargs = expectation.get("kwargs", {})
        named = [kwargs[key] for key in _COLUMN_KWARGS if key in kwargs]
        if not named or kwargs.get("row_condition") or expectation["type"].startswith("expect_table_"):
            return None
        for value in named:
            for column in value if isinstance(value, list) else [value]:
                if column not in columns:
                    columns.append(column)
    return columns


def select_list(
    columns: list[str] | None, everything: str = "*", available: Iterable[str] | None = None
) -> str:
    """SQL select list for `suite_columns` (quoted), or `everything` when the suite needs all
    or names a column the table does not have (`available`): GX then reports it missing, as it
    would on the whole table."""
    if columns is None or (available is not None and not set(columns) <= set(available)):
        return everything
    if not columns:
        return "1 as _row"  # no expectation: the rows are still counted
    return ", ".join('"' + column.replace('"', '""') + '"' for column in columns)


def suite_select(
    con, schema: str, table: str, suite: str, directory: Path = EXPECTATIONS_DIR, everything: str = "*"
) -> str:
    """The select list that loads `schema.table` for the suite `suite` (`select_list`, checked
    against the table's columns)."""
    available = [
        column
        for (column,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    ]
    return select_list(suite_columns(suite, directory), everything, available)


class Validator:
    """One ephemeral GX context for a whole run; `validate()` once per kind."""

    def __init__(self, directory: Path = EXPECTATIONS_DIR):
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        logging.getLogger("great_expectations").setLevel(logging.WARNING)
        import great_expectations as gx

        self._gx = gx
        self.directory = Path(directory)
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        self.source = self.context.data_sources.add_pandas("salespulse_raw")

    def validate(self, kind: str, frame: pd.DataFrame) -> SuiteResult:
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        spec = load_suite(kind, self.directory)
        suite = self._gx.ExpectationSuite(name=spec.get("name", f"raw_{kind}"))
        for expectation in spec.get("expectations", []):
            suite.add_expectation_configuration(
                ExpectationConfiguration(
                    type=expectation["type"],
                    kwargs=expectation.get("kwargs", {}),
                    meta=expectation.get("meta", {}),
                )
            )
        asset = self.source.add_dataframe_asset(name=f"{kind}_{len(self.source.assets)}")
        batch = asset.add_batch_definition_whole_dataframe("run").get_batch(
            batch_parameters={"dataframe": frame}
        )
        outcome = batch.validate(suite)
        failures = []
        for item in outcome.results:
            if item.success:
                continue
            config = item.expectation_config
            failures.append(
                {
                    "expectation": config.type,
                    "column": config.kwargs.get("column"),
                    "severity": (config.meta or {}).get("severity", "error"),
                    "unexpected_count": item.result.get("unexpected_count"),
                    "examples": [str(v) for v in (item.result.get("partial_unexpected_list") or [])[:5]],
                }
            )
        return SuiteResult(kind, bool(outcome.success), len(frame), failures, len(outcome.results))
