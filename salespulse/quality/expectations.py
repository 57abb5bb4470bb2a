"""Great Expectations suites for the raw tables, kept consistent with the contracts.

`expectations/<kind>.json` holds one GX suite per input kind. The expectations whose
`meta.source` is `contract` are derived from the contract (`salespulse expectations`
rewrites them); any other expectation in the file is the user's own and is preserved.
Validation runs on the rows one ingest run loaded, with one GX context per run.
"""

from __future__ import annotations

import gc
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from salespulse.config import RESOURCE_ROOT
from salespulse.contracts import NUMERIC_TYPES, Contract
from salespulse.marts import as_marts

EXPECTATIONS_DIR = RESOURCE_ROOT / "expectations"
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
    return expectation_columns(load_suite(kind, directory).get("expectations", []))


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


CHUNK_ROWS = 500_000  # rows per chunk for the row-by-row expectations (validate_table)
_INDEX = "_salespulse_index"
_MAP_METRICS_ACROSS_ROWS = {
    # Map expectations whose verdict on a row depends on the other rows: not chunkable.
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
    "expect_column_values_to_be_increasing",
    "expect_column_values_to_be_decreasing",
}


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
        self._batches = 0

    def validate(self, kind: str, frame: pd.DataFrame) -> SuiteResult:
        """The suite `kind` on one whole frame."""
        expectations = load_suite(kind, self.directory).get("expectations", [])
        merged = [_Merged(e) for e in expectations]
        self._into(kind, merged, frame)
        return _result(kind, merged, len(frame))

    def validate_table(
        self,
        kind: str,
        con,  # salespulse.marts.Marts, or a DuckDB connection
        relation: str,
        where: str = "",
        params: Iterable = (),
        everything: str = "*",
        chunk_rows: int = CHUNK_ROWS,
    ) -> SuiteResult:
        """The suite `kind` on the rows of `relation` (`schema.table`) matching `where`, in bounded
        memory: the row-by-row expectations (`row_wise`) see the rows `chunk_rows` at a time,
        loading only the columns they read, and their verdicts, counts and examples are added
        up over the chunks as GX counts them over one frame; the other expectations (a mean,
        uniqueness, the table's row count) see every row at once, loading only their columns
        (or every column when one of them does not name its columns). The L organisation's
        12.6 M opportunity rows took 8.0 GB as one frame; in chunks the process stays at 0.8 GB."""
        marts = as_marts(con)
        schema, table = relation.split(".", 1)
        available = [
            column
            for (column,) in marts.execute(
                "select column_name from information_schema.columns"
                " where table_schema = ? and table_name = ?",
                [schema, table],
            ).rows
        ]
        expectations = load_suite(kind, self.directory).get("expectations", [])
        merged = [_Merged(e) for e in expectations]
        condition = f" where {where}" if where else ""
        params = list(params)
        rows = marts.execute(f"select count(*) from {relation}{condition}", params).scalar()
        chunked = [m for m in merged if row_wise(m.spec)]
        whole = [m for m in merged if not row_wise(m.spec)]
        if whole:
            columns = select_list(expectation_columns([m.spec for m in whole]), everything, available)
            self._into(kind, whole, marts.frame(f"select {columns} from {relation}{condition}", params))
        if chunked:
            columns = select_list(expectation_columns([m.spec for m in chunked]), everything, available)
            select = f"select {columns} from {relation}{condition}"
            for frame in marts.frames(select, params, chunk_rows):  # one frame at least
                self._into(kind, chunked, frame)
        return _result(kind, merged, rows)

    def _into(self, kind: str, merged: list[_Merged], frame: pd.DataFrame) -> None:
        """Validate `frame` against `merged`'s expectations and add each outcome to its own."""
        from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

        self._batches += 1
        suite = self._gx.ExpectationSuite(name=f"{kind}_{self._batches}")
        for index, item in enumerate(merged):
            spec = item.spec
            suite.add_expectation_configuration(
                ExpectationConfiguration(
                    type=spec["type"],
                    kwargs=spec.get("kwargs", {}),
                    meta={**spec.get("meta", {}), _INDEX: index},
                )
            )
        # One data source per frame, deleted afterwards: its execution engine keeps every batch
        # it loaded (frame included), so chunks would otherwise pile up in memory.
        source = self.context.data_sources.add_pandas(f"salespulse_{self._batches}")
        asset = source.add_dataframe_asset(name=kind)
        batch = asset.add_batch_definition_whole_dataframe("run").get_batch(
            batch_parameters={"dataframe": frame}
        )
        outcome = batch.validate(suite)
        self.context.data_sources.delete(source.name)
        del source, asset, batch
        # GX's objects hold the frame in reference cycles: collected now, not after a few chunks
        # more (1.6 GB instead of 0.8 GB over the L organisation's 12.6 M opportunity rows).
        gc.collect()
        for item in outcome.results:
            merged[item.expectation_config.meta[_INDEX]].add(bool(item.success), item.result or {})


def row_wise(spec: dict) -> bool:
    """True when GX judges each row on its own (a column map expectation such as not null,
    in set, between, a regex, a column pair), so that chunks can be validated apart and their
    counts added: not uniqueness or order, not an aggregate, not a table-level expectation."""
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )
    from great_expectations.expectations.registry import get_expectation_impl

    if spec["type"] in _MAP_METRICS_ACROSS_ROWS:
        return False
    try:
        implementation = get_expectation_impl(spec["type"])
    except Exception:  # an unknown type: validated whole, where GX reports it
        return False
    maps = (ColumnMapExpectation, ColumnPairMapExpectation, MulticolumnMapExpectation)
    return issubclass(implementation, maps)


def expectation_columns(expectations: list[dict]) -> list[str] | None:
    """The columns `expectations` read, in first-use order; None when one of them reads the
    whole table (see `suite_columns`)."""
    columns: list[str] = []
    for expectation in expectations:
        kwargs = expectation.get("kwargs", {})
        named = [kwargs[key] for key in _COLUMN_KWARGS if key in kwargs]
        if not named or kwargs.get("row_condition") or expectation["type"].startswith("expect_table_"):
            return None
        for value in named:
            for column in value if isinstance(value, list) else [value]:
                if column not in columns:
                    columns.append(column)
    return columns


class _Merged:
    """One expectation's outcome added up over the chunks it was validated on, with GX's own
    rule for `mostly` (`ColumnMapExpectation._validate`: the share of non-missing rows that
    are expected, vacuously true when there are none)."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.chunks = 0
        self.success = True
        self.element_count = 0
        self.missing_count = 0
        self.unexpected_count: int | None = None
        self.examples: list = []
        self.failed_uncounted = False  # a chunk failed without counts (a missing column, an error)

    def add(self, success: bool, result: dict) -> None:
        self.chunks += 1
        self.success = self.success and success
        if not success and result.get("unexpected_count") is None:
            self.failed_uncounted = True
        self.element_count += result.get("element_count") or 0
        self.missing_count += result.get("missing_count") or 0
        if result.get("unexpected_count") is not None:
            self.unexpected_count = (self.unexpected_count or 0) + result["unexpected_count"]
        self.examples.extend((result.get("partial_unexpected_list") or [])[: 20 - len(self.examples)])

    @property
    def passed(self) -> bool:
        if self.chunks <= 1 or self.failed_uncounted:
            return self.success
        mostly = self.spec.get("kwargs", {}).get("mostly", 1.0)
        considered = self.element_count - self.missing_count
        if self.unexpected_count is None or considered == 0:
            return True
        return (considered - self.unexpected_count) / considered >= mostly


def _result(kind: str, merged: list[_Merged], rows: int) -> SuiteResult:
    failures = [
        {
            "expectation": m.spec["type"],
            "column": m.spec.get("kwargs", {}).get("column"),
            "severity": (m.spec.get("meta") or {}).get("severity", "error"),
            "unexpected_count": m.unexpected_count,
            "examples": [str(v) for v in m.examples[:5]],
        }
        for m in merged
        if not m.passed
    ]
    return SuiteResult(kind, not failures, rows, failures, len(merged))
