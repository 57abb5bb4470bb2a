"""The KPI marts are declared once (dbt_project/kpis.yml); the dbt properties file and the macros'
catalog are written from it. The marts' content against independent computations is
tests/dbt_project/test_dbt_kpis.py's; here: the written files are current, and the declaration drives the
marts' SQL (a derived KPI declared in a copy of the project appears, computed, in the mart)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date

import duckdb
import pytest
import yaml

from salespulse import kpis
from salespulse.config import PROJECT_ROOT
from salespulse.dbt_project import DBT_PROJECT_DIR


def test_the_written_files_are_those_the_declaration_gives():
    assert kpis.stale() == [], "run `salespulse kpis` after editing dbt_project/kpis.yml"
    result = subprocess.run(
        [sys.executable, "-m", "salespulse.cli", "kpis", "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_every_mart_model_is_declared_and_every_column_has_a_definition():
    declaration = kpis.load()
    declared = {m.name for m in kpis.marts(declaration)}
    files = {p.stem for p in (DBT_PROJECT_DIR / "models" / "marts" / "kpi").glob("kpi_*.sql")}
    assert declared == files
    docs = (DBT_PROJECT_DIR / "models" / "marts" / "kpi" / "_kpi__docs.md").read_text(encoding="utf-8")
    properties = yaml.safe_load(kpis.models_yml(declaration))
    for model in properties["models"]:
        for column in model["columns"]:
            if "doc(" in column["description"]:
                name = column["description"].split('doc("')[1].split('")')[0]
                assert "{% docs " + name + " %}" in docs, (
                    f"{model['name']}.{column['name']}: no doc block {name}"
                )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "x_rate", "kind": "derived", "data_type": "double"}, "needs a formula"),
        ({"name": "x_rate", "kind": "ratio", "data_type": "double", "formula": "1"}, "kind must be"),
        ({"name": "sales_amount", "kind": "flow", "data_type": "bigint"}, "declared twice"),
        ({"name": "x", "kind": "growth", "of": "sales_amount", "data_type": "double"}, "compare must be"),
        ({"name": "x", "kind": "flow", "data_type": "bigint", "only": "activty"}, "unknown traits"),
    ],
)
def test_a_declaration_mistake_is_named_before_anything_is_written(tmp_path, change, message):
    project = tmp_path / "dbt_project"
    project.mkdir()
    declaration = yaml.safe_load((DBT_PROJECT_DIR / kpis.DECLARATION).read_text(encoding="utf-8"))
    declaration["columns"].append(change)
    (project / kpis.DECLARATION).write_text(yaml.safe_dump(declaration, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        kpis.write(project)
    assert not (project / kpis.MODELS_YML).exists()


def test_a_derived_kpi_declared_once_is_built_into_every_mart_that_has_its_measures(tmp_path):
    """The three-file path of a new derived KPI: its declaration (here), its doc block and its unit
    test (left out here). Built on a copy of the project, from a small generated organisation."""
    from dbt_support import build_generated_org

    project = tmp_path / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", "kpis.yml")
    )
    declaration = yaml.safe_load((DBT_PROJECT_DIR / kpis.DECLARATION).read_text(encoding="utf-8"))
    at = next(i for i, c in enumerate(declaration["columns"]) if c["name"] == "win_rate") + 1
    declaration["columns"].insert(
        at,
        {
            "name": "won_amount_per_order",
            "kind": "derived",
            "data_type": "decimal(18, 4)",
            "formula": "won_amount / nullif(orders_count, 0)",
            "description": "Won deal amount per order signed (test only).",
        },
    )
    (project / kpis.DECLARATION).write_text(yaml.safe_dump(declaration, allow_unicode=True), encoding="utf-8")
    assert set(kpis.write(project)) == {project / kpis.MODELS_YML, project / kpis.CATALOG_MACRO}

    built = build_generated_org(
        tmp_path / "org",
        seed=11,
        as_of=date(2026, 3, 31),
        reps=6,
        months=3,
        dbt_args=("run", "--select", "+kpi_team_monthly"),
        project_dir=project,
    )
    with duckdb.connect(str(built), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe marts.kpi_team_monthly").fetchall()]
        rows = con.execute(
            "select won_amount, orders_count, won_amount_per_order from marts.kpi_team_monthly"
        ).fetchall()
    assert columns[columns.index("win_rate") + 1] == "won_amount_per_order", "in the declared place"
    assert rows and any(won for won, _, _ in rows)
    for won, orders, per_order in rows:
        expected = None if not orders else round(won / orders, 4)
        assert per_order == expected


def test_the_written_catalog_is_what_the_shipped_marts_read():
    assert (PROJECT_ROOT / "dbt_project" / kpis.CATALOG_MACRO).is_file()
    text = (DBT_PROJECT_DIR / "macros" / "kpi_mart.sql").read_text(encoding="utf-8")
    assert "kpi_catalog()" in text
    for formula in ("nullif(orders_count, 0)", "nullif(won_count + lost_count, 0)"):
        assert formula not in text, "derived KPIs are declared in kpis.yml, not written in the macro"


def test_a_kpi_label_is_declared_with_the_kpi_in_every_locale():
    from salespulse.briefs import i18n

    declaration = kpis.load()
    labels = kpis.labels(declaration)
    assert {"sales_amount", "completion_rate", "win_rate", "on_time_rate"} <= labels.keys()
    columns = {c["name"] for c in declaration["columns"]}
    assert not columns & i18n._LABELS.keys(), "the briefs' labels of KPI columns live in kpis.yml only"
    for name, label in labels.items():
        assert set(label) == set(i18n.LOCALES), name
        for code in i18n.LOCALES:
            assert i18n.Locale(code)(name) == label[code]
    with pytest.raises(KeyError, match="no label"):
        i18n.Locale("en")("no_such_kpi")
