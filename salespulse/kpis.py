"""The KPI marts' declaration (dbt_project/kpis.yml) and the two dbt files written from it.

`salespulse kpis` writes:
- models/marts/kpi/_kpi__models.yml: every mart's columns, types, descriptions and tests;
- macros/kpi_catalog.sql: the columns of each mart as the macro kpi_mart builds them, and the
  additive measures the reconciliation tests compare (kpi_measures).
`salespulse kpis --check` (and tests/salespulse/test_kpi_catalog.py) fails when either is stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from salespulse.dbt_project import DBT_PROJECT_DIR
from salespulse.declared import json_macro, stale_files, write_files

DECLARATION = "kpis.yml"
MODELS_YML = Path("models") / "marts" / "kpi" / "_kpi__models.yml"
CATALOG_MACRO = Path("macros") / "kpi_catalog.sql"
KINDS = ("period", "headcount", "flow", "balance", "target", "derived", "growth")
TRAITS = ("target", "activity", "headcount")
# Keys of a column that the macro reads (the rest only describe it).
SQL_KEYS = ("name", "kind", "data_type", "base", "formula", "of", "compare", "from_first_snapshot")


@dataclass(frozen=True)
class Mart:
    name: str
    entity: str
    grain: str
    description: str


def load(project_dir: Path = DBT_PROJECT_DIR) -> dict:
    declaration = yaml.safe_load((project_dir / DECLARATION).read_text(encoding="utf-8"))
    _check(declaration)
    return declaration


def _check(declaration: dict) -> None:
    """Say what is wrong with a declaration before anything is written from it."""
    problems = []
    grains, entities = declaration["grains"], declaration["entities"]
    for entity, spec in entities.items():
        unknown = set(spec.get("traits", [])) - set(TRAITS)
        if unknown:
            problems.append(f"entity {entity}: unknown traits {sorted(unknown)}")
    for mart in declaration["marts"]:
        if mart["entity"] not in entities or mart["grain"] not in grains:
            problems.append(f"mart {mart['name']}: unknown entity or grain")
    seen = set()
    for column in declaration["columns"]:
        name = column.get("name", "?")
        if name in seen:
            problems.append(f"column {name}: declared twice")
        seen.add(name)
        if column.get("kind") not in KINDS:
            problems.append(f"column {name}: kind must be one of {', '.join(KINDS)}")
        if column.get("kind") == "derived" and not column.get("formula"):
            problems.append(f"column {name}: a derived column needs a formula")
        if column.get("kind") == "growth" and column.get("compare") not in ("previous", "year_ago"):
            problems.append(f"column {name}: compare must be previous or year_ago")
        unknown = set(_as_list(column.get("only"))) - set(TRAITS)
        if unknown:
            problems.append(f"column {name}: unknown traits in only: {sorted(unknown)}")
        if "data_type" not in column:
            problems.append(f"column {name}: no data_type")
    if problems:
        raise ValueError("dbt_project/kpis.yml: " + "; ".join(problems))


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def marts(declaration: dict) -> list[Mart]:
    return [Mart(m["name"], m["entity"], m["grain"], m["description"]) for m in declaration["marts"]]


def measure_columns(declaration: dict, mart: Mart) -> list[dict]:
    """The declared columns after the row's id and the entity's own columns that `mart` carries,
    names resolved ({growth} → the grain's growth prefix)."""
    traits = set(declaration["entities"][mart.entity].get("traits", []))
    growth = declaration["grains"][mart.grain].get("growth")
    found = []
    for column in declaration["columns"]:
        if not set(_as_list(column.get("only"))) <= traits:
            continue
        if "grains" in column and mart.grain not in column["grains"]:
            continue
        if "{growth}" in column["name"]:
            if not growth:
                continue
            column = {**column, "name": column["name"].replace("{growth}", growth)}
        found.append(column)
    return found


def labels(declaration: dict) -> dict[str, dict[str, str]]:
    """Column name → its label per locale, for the columns declared with one (the briefs show them)."""
    return {c["name"]: dict(c["label"]) for c in declaration["columns"] if c.get("label")}


def _id_column(declaration: dict, mart: Mart) -> dict:
    key = declaration["entities"][mart.entity].get("key")
    return {
        "name": f"{mart.entity}_{mart.grain}_id",
        "data_type": "varchar",
        "description": f"{key} and period_label joined by @ (the row's id)."
        if key
        else "The period label (the row's id).",
        "data_tests": ["unique", "not_null"],
    }


def _described(column: dict, grain: str) -> dict:
    """A declared column as dbt's properties file describes it."""
    out = {
        "name": column["name"],
        "data_type": column["data_type"],
        "description": column.get("description", f'{{{{ doc("kpi_{column["name"]}") }}}}'),
    }
    if column.get("data_tests"):
        out["data_tests"] = column["data_tests"]
    not_null = column.get("not_null")
    if not_null is True or (isinstance(not_null, list) and grain in not_null):
        out["constraints"] = [{"type": "not_null"}]
    return out


def models_yml(declaration: dict) -> str:
    models = []
    for mart in marts(declaration):
        entity = declaration["entities"][mart.entity]
        model: dict = {"name": mart.name, "description": f'{mart.description} {{{{ doc("kpi_overview") }}}}'}
        if entity.get("key"):
            model["data_tests"] = [
                {
                    "unique_combination_of_columns": {
                        "arguments": {"combination_of_columns": [entity["key"], "period_start"]}
                    }
                }
            ]
        model["columns"] = [
            _id_column(declaration, mart),
            *(_described(c, mart.grain) for c in entity.get("columns", [])),
            *(_described(c, mart.grain) for c in measure_columns(declaration, mart)),
        ]
        models.append(model)
    header = (
        "# Written by `salespulse kpis` from dbt_project/kpis.yml: edit that file, not this one.\n"
        "# The KPI definitions live in _kpi__docs.md and are referenced with doc(). Contracts are\n"
        "# enforced (dbt_project.yml), so not-null is a constraint checked when the table is built.\n\n"
    )
    body = yaml.safe_dump(
        {"version": 2, "models": models}, sort_keys=False, allow_unicode=True, width=100, indent=2
    )
    return header + body


def catalog(declaration: dict) -> dict:
    """What the dbt macros read: per mart (entity/grain) its key, the entity's other columns, its
    traits and its measure columns, and the additive measures by how they add up (kpi_measures)."""
    by_mart = {}
    for mart in marts(declaration):
        entity = declaration["entities"][mart.entity]
        by_mart[f"{mart.entity}/{mart.grain}"] = {
            "key": entity.get("key"),
            "attributes": [c["name"] for c in entity.get("columns", []) if c["name"] != entity.get("key")],
            "traits": list(entity.get("traits", [])),
            "growth": declaration["grains"][mart.grain].get("growth"),
            "columns": [{k: c[k] for k in SQL_KEYS if k in c} for c in measure_columns(declaration, mart)],
        }

    def additive(kinds: tuple[str, ...], traits: set[str]) -> list[str]:
        return [
            c["name"]
            for c in declaration["columns"]
            if c["kind"] in kinds and set(_as_list(c.get("only"))) <= traits
        ]

    all_traits = set(TRAITS)
    return {
        "marts": by_mart,
        "measures": {
            "flows": additive(("flow",), all_traits),
            "product": additive(("flow", "balance"), set()),
            "all": additive(("flow", "balance"), all_traits),
        },
    }


def catalog_macro(declaration: dict) -> str:
    return json_macro(
        "kpi_catalog",
        "Written by `salespulse kpis` from dbt_project/kpis.yml: edit that file, not this one.\n"
        "    The KPI marts' columns as macros/kpi_mart.sql builds them.",
        catalog(declaration),
    )


def outputs(project_dir: Path = DBT_PROJECT_DIR) -> dict[Path, str]:
    declaration = load(project_dir)
    return {
        project_dir / MODELS_YML: models_yml(declaration),
        project_dir / CATALOG_MACRO: catalog_macro(declaration),
    }


def stale(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """The written files that differ from what the declaration gives now."""
    return stale_files(outputs(project_dir))


def write(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """Write the files that changed; returns them."""
    return write_files(outputs(project_dir))
