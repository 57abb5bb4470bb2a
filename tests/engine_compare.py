"""One warehouse's relations against DuckDB's, for the engine tests (Postgres, Spark): the same
relations in each layer, the same columns by name, and the same rows as multisets - money
(decimals of at most 4 places) to the cent, other numbers to 9 significant digits, timestamps
without their time zone. The incremental fingerprints' row hashes are left out: each engine has
its own hash function, by design.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import math
from collections.abc import Callable
from pathlib import Path

import duckdb
from dbt_support import ROOT, build_generated_org

from salespulse.briefs import data as brief_data
from salespulse.briefs.kinds import KINDS
from salespulse.ingest.parquet import sync_raw_parquet
from salespulse.marts import MartsSource
from salespulse.quality import rules

LAYERS = ("staging", "intermediate", "marts")
ENGINE_SPECIFIC = {"state_hash", "fingerprint"}
CENT = decimal.Decimal("0.01")


def build_mirrored_org(tmp: Path, as_of) -> Path:
    """The engine tests' organisation, in the other CRM's export style (English headers, its own
    date formats, rejects with reasons), ingested into DuckDB and built there, its raw tables
    mirrored to `tmp/raw_parquet`; returns the DuckDB warehouse."""
    duck = build_generated_org(
        tmp,
        seed=5,
        as_of=as_of,
        reps=6,
        months=3,
        style="other-crm",
        overrides=ROOT / "models" / "examples" / "other-crm",
    )
    with duckdb.connect(str(duck)) as con:
        sync_raw_parquet(con, tmp / "raw_parquet")
    return duck


def canonical(value):
    """A value as every engine should agree on it: money (decimals) to the cent, other numbers
    to 9 significant digits (DuckDB divides in double, Postgres in numeric where the operands are)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, decimal.Decimal) and value == value.quantize(decimal.Decimal("0.0001")):
        return ("money", value.quantize(CENT, rounding=decimal.ROUND_HALF_UP))
    if isinstance(value, (int, float, decimal.Decimal)):
        number = float(value)
        return ("number", None if math.isnan(number) else float(f"{number:.9e}"))
    if isinstance(value, datetime.datetime):
        return ("timestamp", value.replace(tzinfo=None))
    if isinstance(value, (dict, list)):
        return ("json", json.dumps(value, sort_keys=True))
    return (type(value).__name__, value)


def sorted_rows(rows, columns: list[str], compared: list[str]) -> list[tuple]:
    positions = [columns.index(name) for name in compared]
    canonical_rows = [tuple(canonical(row[i]) for i in positions) for row in rows]
    return sorted(canonical_rows, key=lambda row: tuple((v is None, repr(v)) for v in row))


def relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    listing = con.execute(
        "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
    )
    return [row[0] for row in listing.fetchall()]


def assert_layers_equal(
    duck: Path,
    listed: Callable[[str], list[str]],
    fetched: Callable[[str, str], tuple[list[str], list[tuple]]],
) -> dict[str, int]:
    """Every staging, intermediate and marts relation of another engine (`listed(layer)`: its
    relation names; `fetched(layer, name)`: its columns and rows) against DuckDB's warehouse
    `duck`, asserted equal; {layer.relation: rows}."""
    compared = {}
    with duckdb.connect(str(duck), read_only=True) as con:
        for layer in LAYERS:
            models = relations(con, layer)
            assert sorted(listed(layer)) == models, layer
            for model in models:
                result = con.execute(f'select * from {layer}."{model}"')
                duck_columns = [column[0] for column in result.description]
                duck_rows = result.fetchall()
                other_columns, other_rows = fetched(layer, model)
                assert sorted(other_columns) == sorted(duck_columns), model
                names = sorted(set(duck_columns) - ENGINE_SPECIFIC)
                mine = sorted_rows(duck_rows, duck_columns, names)
                theirs = sorted_rows(other_rows, other_columns, names)
                assert len(theirs) == len(mine), model
                different = [(a, b) for a, b in zip(mine, theirs, strict=True) if a != b]
                assert not different, (model, names, different[:2])
                compared[f"{layer}.{model}"] = len(mine)
    return compared


# Periods of the engine tests' org (as of 2026-03-31) whose briefs are compared: a month-end
# working day, a day of the first week, the last full week, a closed and the open month.
BRIEF_PERIODS = {
    "daily": (datetime.date(2026, 3, 2), datetime.date(2026, 3, 31)),
    "weekly": (datetime.date(2026, 3, 23),),
    "monthly": (datetime.date(2026, 2, 1), datetime.date(2026, 3, 1)),
}


def _canonical_tree(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _canonical_tree(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {key: _canonical_tree(item) for key, item in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_canonical_tree(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return canonical(value)


def read_by_briefs_and_checks(source: MartsSource, as_of) -> dict[tuple, object]:
    """Everything the briefs and the quality checks read from the marts of `source` (through
    salespulse.marts, as the pipeline reads them), canonical: each brief's data and recipients
    for every scope of `BRIEF_PERIODS`, each rule's findings (skipped or not), and each Great
    Expectations mart suite's verdict and failed expectations."""
    from pipelines.defs.quality.checks import evaluate_suites

    read: dict[tuple, object] = {}
    with source.open() as marts:
        for name, starts in BRIEF_PERIODS.items():
            kind = KINDS[name]
            for start in starts:
                period = kind.period(start)
                for scope in kind.scopes_of(marts, period):
                    read[(name, start, scope.entity_id)] = _canonical_tree(kind.load(marts, scope, start))
                    read[(name, start, scope.entity_id, "to")] = _canonical_tree(
                        brief_data.recipients(marts, scope, as_of)
                    )
        for rule in rules.RULES:
            outcome = rules.evaluate(marts, rule)
            findings = outcome.findings.astype(object).where(outcome.findings.notna(), None)
            read[("rule", rule.name)] = (outcome.skipped_reason, _canonical_tree(findings.to_dict("records")))
        for result in evaluate_suites(marts):
            verdict = getattr(result, "passed", None), getattr(result, "reason", None)
            failed = result.metadata.get("failed_expectations") if hasattr(result, "metadata") else None
            read[("suite", result.asset_key.to_user_string())] = (
                verdict,
                _canonical_tree(failed.value if failed is not None else None),
                result.metadata["rows_validated"].value if hasattr(result, "metadata") else None,
            )
    return read


def assert_briefs_and_checks_read_the_same(source: MartsSource, duck: Path, as_of) -> dict[tuple, object]:
    """`source`'s marts give the briefs and checks exactly what DuckDB's warehouse `duck` gives
    (money to the cent, other numbers to 9 significant digits); returns DuckDB's reading."""
    mine = read_by_briefs_and_checks(MartsSource.duckdb(duck), as_of)
    theirs = read_by_briefs_and_checks(source, as_of)
    assert sorted(theirs, key=repr) == sorted(mine, key=repr)
    different = [key for key in mine if mine[key] != theirs[key]]
    assert not different, [(key, mine[key], theirs[key]) for key in different[:1]]
    return mine
