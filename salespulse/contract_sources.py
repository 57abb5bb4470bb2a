"""What the input contracts (models/*.yaml) give the dbt project, written by `salespulse sources`.

A contract file is the list entry of an input kind: the ingest, `salespulse validate` and the
Great Expectations suites read it directly. dbt cannot read files outside its project, so it
gets two copies, checked for staleness by `salespulse sources --check` and the tests, as
`salespulse kpis` and `salespulse rules` do for their declarations:

- models/staging/raw/_raw__contract_sources.yml: the raw table and the rejects table of every
  kind, described from its contract (the registry and the calendar, which no contract describes,
  stay in _raw__sources.yml);
- macros/raw_kinds.sql: every kind's key columns, whether it has a `submitted_at`, and the
  staging model that keeps its current rows. marts.audit_row_flow accounts for the rows of
  every kind it does not trace amounts of from it: a new input kind is in the row flow without
  an edit there.

So a new input kind is its contract, its staging model and the staging model's properties;
`salespulse expectations` and `salespulse sources` write the rest.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from salespulse.config import RESOURCE_ROOT
from salespulse.contracts import Contract, load_contracts
from salespulse.dbt_project import DBT_PROJECT_DIR
from salespulse.declared import json_macro, stale_files, write_files

SOURCES_YML = Path("models") / "staging" / "raw" / "_raw__contract_sources.yml"
CATALOG_MACRO = Path("macros") / "raw_kinds.sql"
CONTRACTS = RESOURCE_ROOT / "models"
HEADER = "# Written by `salespulse sources` from the contracts in models/*.yaml: edit those, not this file.\n"


def _describe(contract: Contract) -> str:
    key = " + ".join(contract.keys)
    repeated = (
        "; a repeated key within a file is kept (a second submission)"
        if contract.allow_duplicate_keys
        else ""
    )
    contract_file = f"models/{contract.kind}.yaml"
    return f"{contract.title}. {contract.description.strip()} Key {key}{repeated}. Contract: {contract_file}."


def sources_yml(contracts: dict[str, Contract]) -> str:
    tables = [{"name": kind, "description": _describe(contract)} for kind, contract in contracts.items()]
    tables += [
        {
            "name": f"{kind}__rejects",
            "description": f"Rejected rows (拒收记录) of raw.{kind}, original text and the reasons "
            "(_reasons).",
        }
        for kind in contracts
    ]
    document = {"version": 2, "sources": [{"name": "raw", "schema": "raw", "tables": tables}]}
    return HEADER + yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def catalog(contracts: dict[str, Contract]) -> dict:
    return {
        kind: {
            "keys": list(contract.keys),
            "submitted_at": "submitted_at" in contract.column_names,
            "staging_model": contract.staged_in,
        }
        for kind, contract in contracts.items()
    }


def catalog_macro(contracts: dict[str, Contract]) -> str:
    return json_macro(
        "raw_kinds",
        "Written by `salespulse sources` from the contracts in models/*.yaml: edit those, not this\n"
        "    file. Every input kind: its key columns, whether it has submitted_at, the staging model\n"
        "    that keeps its current rows.",
        catalog(contracts),
    )


def outputs(project_dir: Path = DBT_PROJECT_DIR, contracts_dir: Path = CONTRACTS) -> dict[Path, str]:
    # The contracts as shipped, without a user's overrides: the written files are the project's.
    contracts = load_contracts(contracts_dir)
    return {
        project_dir / SOURCES_YML: sources_yml(contracts),
        project_dir / CATALOG_MACRO: catalog_macro(contracts),
    }


def stale(project_dir: Path = DBT_PROJECT_DIR, contracts_dir: Path = CONTRACTS) -> list[Path]:
    """The written files that differ from what the contracts give now."""
    return stale_files(outputs(project_dir, contracts_dir))


def write(project_dir: Path = DBT_PROJECT_DIR, contracts_dir: Path = CONTRACTS) -> list[Path]:
    """Write the files that changed; returns them."""
    return write_files(outputs(project_dir, contracts_dir))
