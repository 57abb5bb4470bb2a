"""Every rule threshold is declared once (dbt_project/quality.yml) and turned into both the
settings and the dbt vars; the copies `salespulse rules` writes (the dbt macro's defaults,
.env.example, the README's table) are current, the models read thresholds only through
`threshold()`, and the declaration's mistakes are named."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from dbt_support import ROOT

from salespulse.briefs.render import BriefSettings
from salespulse.config import THRESHOLDS, Settings, Thresholds, _declared_thresholds, load_settings
from salespulse.dbt_project import dbt_vars
from salespulse.quality import registry, rules

IDS = [t.name for t in THRESHOLDS]


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings from an environment without any threshold set (and no .env)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESPULSE_HOME", str(tmp_path))
    for t in THRESHOLDS:
        monkeypatch.delenv(t.env, raising=False)
    return load_settings()


def _same(written: str | float, default: float) -> bool:
    return float(written) == float(default)


def test_declaration_is_well_formed():
    assert len({t.env for t in THRESHOLDS}) == len(THRESHOLDS)
    assert len({t.dbt_var for t in THRESHOLDS if t.dbt_var}) == len([t for t in THRESHOLDS if t.dbt_var])
    for t in THRESHOLDS:
        assert t.env.startswith("SALESPULSE_") and t.meaning
        assert t.kind in (int, float)
    # The rules of issue #16: the pace and coaching thresholds are among them, passed to dbt.
    by_name = {t.name: t for t in THRESHOLDS}
    assert by_name["coaching_completion"].dbt_var == "coaching_completion"
    assert by_name["behind_pace_points"].dbt_var == "behind_pace_points"


def test_settings_fields_are_the_declared_ones(settings):
    settings_fields = {f.name: f for f in dataclasses.fields(Settings)}
    for t in THRESHOLDS:
        assert settings_fields[t.name].default == t.default
        value = getattr(settings, t.name)
        assert value == t.default and type(value) is t.kind


@pytest.mark.parametrize("threshold", THRESHOLDS, ids=IDS)
def test_environment_reaches_settings_and_dbt_vars(tmp_path, monkeypatch, threshold):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SALESPULSE_HOME", str(tmp_path))
    changed = threshold.kind(threshold.default * 2 + 1)
    monkeypatch.setenv(threshold.env, str(changed))
    settings = load_settings()
    assert getattr(settings, threshold.name) == changed
    variables = dbt_vars(settings)
    if threshold.dbt_var:
        assert variables[threshold.dbt_var] == changed
    else:
        assert threshold.name not in variables


def test_dbt_vars_hold_every_declared_dbt_var(settings):
    variables = dbt_vars(settings)
    for t in THRESHOLDS:
        if t.dbt_var:
            assert variables[t.dbt_var] == t.default


def test_written_copies_are_current():
    assert registry.stale() == [], "run `salespulse rules` after editing dbt_project/quality.yml"
    done = subprocess.run(
        [sys.executable, "-m", "salespulse.cli", "rules", "--check"], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def test_stale_copy_is_named(tmp_path):
    """A copy that differs from the declaration is stale until `salespulse rules` writes it."""
    for name in (".env.example", "README.md"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    project = tmp_path / "dbt_project"
    (project / "macros").mkdir(parents=True)
    (project / "models" / "quality").mkdir(parents=True)
    assert set(registry.stale(project, tmp_path)) == {
        project / registry.CATALOG_MACRO,
        project / registry.KINDS_DOC,
    }
    registry.write(project, tmp_path)
    assert registry.stale(project, tmp_path) == []
    readme = tmp_path / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("| `0.8` |", "| `0.75` |"), encoding="utf-8")
    assert registry.stale(project, tmp_path) == [readme]


def test_dbt_project_does_not_declare_a_threshold_var():
    """A default in dbt_project.yml's vars would be a second place it lives."""
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    assert not {t.dbt_var for t in THRESHOLDS if t.dbt_var} & set(project["vars"])


def _dbt_sql() -> list[Path]:
    return [
        path
        for path in sorted((ROOT / "dbt_project").rglob("*.sql"))
        if not {"target", "dbt_packages"} & set(path.parts)
    ]


def test_models_read_thresholds_through_the_declaration():
    """`var('coaching_completion')` would fail when dbt runs without the pipeline's vars, and
    `var('coaching_completion', 0.8)` would be a second place the default lives: models call
    `threshold('coaching_completion')`."""
    names = "|".join(re.escape(t.dbt_var) for t in THRESHOLDS if t.dbt_var)
    pattern = re.compile(rf"""var\(\s*['"]({names})['"]""")
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _dbt_sql()
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders
    used = {
        match.group(1)
        for path in _dbt_sql()
        for match in re.finditer(r"threshold\(\s*'(\w+)'\s*\)", path.read_text(encoding="utf-8"))
    }
    assert used == {t.dbt_var for t in THRESHOLDS if t.dbt_var}, "a dbt threshold no model applies"


@pytest.mark.parametrize("threshold", THRESHOLDS, ids=IDS)
def test_env_example_lists_the_declared_default(threshold):
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    match = re.search(rf"^#?\s*{threshold.env}=(.*)$", text, re.MULTILINE)
    assert match, f".env.example lacks {threshold.env}"
    assert _same(match.group(1).strip(), threshold.default), (
        f".env.example: {threshold.env}={match.group(1)}, declared default {threshold.default}"
    )


def _readme_config_rows() -> dict[str, str]:
    """env name → its default as the README's configuration table gives it (a row may name
    several variables, with their defaults in the same order)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3:
            continue
        names = re.findall(r"`(SALESPULSE_\w+)`", cells[0])
        defaults = re.findall(r"`([^`]+)`", cells[1])
        if names and len(names) == len(defaults):
            rows.update(zip(names, defaults, strict=True))
    return rows


@pytest.mark.parametrize("threshold", THRESHOLDS, ids=IDS)
def test_readme_config_table_lists_the_declared_default(threshold):
    rows = _readme_config_rows()
    assert threshold.env in rows, f"README's configuration table lacks {threshold.env}"
    assert _same(rows[threshold.env], threshold.default)


def test_brief_settings_defaults_are_the_declared_ones():
    briefs = BriefSettings()
    for f in dataclasses.fields(BriefSettings):
        assert getattr(briefs, f.name) == getattr(Thresholds, f.name)


def _declaration_with(tmp_path, edit) -> Path:
    declared = yaml.safe_load((ROOT / "dbt_project" / "quality.yml").read_text(encoding="utf-8"))
    edit(declared)
    path = tmp_path / "quality.yml"
    path.write_text(yaml.safe_dump(declared, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d["thresholds"][0].update(default="3"), "default must be a number"),
        (lambda d: d["thresholds"][0].update(env="ZERO_DAYS"), "env must start with SALESPULSE_"),
        (lambda d: d["thresholds"][0].pop("meaning"), "needs name, default, env, meaning"),
        (lambda d: d["thresholds"][0].update(dbt_var="x"), "needs name, default, env, meaning"),
    ],
    ids=["string default", "env prefix", "no meaning", "unknown key"],
)
def test_threshold_declaration_mistakes_are_named(tmp_path, edit, named):
    with pytest.raises(ValueError, match=named):
        _declared_thresholds(_declaration_with(tmp_path, edit))


def _check(declared: dict, name: str) -> dict:
    return next(c for c in declared["checks"] if c["name"] == name)


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: _check(d, "overpayments").update(severity="fatal"), "severity must be one of"),
        (lambda d: _check(d, "overpayments").update(category="money"), "category must be one of"),
        (lambda d: _check(d, "overpayments").update(population="deals"), "population must be one of"),
        (lambda d: _check(d, "overpayments").update(mart="fct_orders"), "mart must be"),
        (
            lambda d: _check(d, "overpayments")["kinds"].update(unknown_rep="again"),
            "'unknown_rep' already belongs to check 'unknown_references'",
        ),
        (lambda d: _check(d, "overpayments").update(kinds=["payment_exceeds_receivable"]), "kinds must map"),
        (lambda d: _check(d, "late_reports").update(statuses="late"), "statuses must be a list"),
        (lambda d: _check(d, "overpayments").pop("description"), "takes"),
        (
            lambda d: d["populations"]["payments"][0].update(mart="fct_payments; drop table x"),
            "mart must be a column or mart name",
        ),
        (lambda d: d["populations"]["payments"][0].pop("rows"), "each source takes mart, rows"),
    ],
    ids=[
        "severity",
        "category",
        "population",
        "mart",
        "kind twice",
        "kinds list",
        "statuses",
        "no description",
        "population not a name",
        "population unlabelled",
    ],
)
def test_check_declaration_mistakes_are_named(tmp_path, edit, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        rules.declared_rules(_declaration_with(tmp_path, edit))


def test_every_anomaly_kind_has_one_check_with_its_severity():
    """dq_anomalies takes a kind's severity and category from its check: the Dagster check and the
    mart's rows cannot disagree."""
    kinds = registry.catalog()["kinds"]
    by_name = {rule.name: rule for rule in rules.RULES}
    for kind, declared in kinds.items():
        rule = by_name[declared["check"]]
        assert kind in rule.values and rule.table == rules.ANOMALIES
        assert (declared["severity"], declared["category"]) == (rule.severity, rule.category)
    assert {k for k, d in kinds.items() if d["category"] == "performance"} == {
        "behind_pace",
        "needs_coaching",
    }
