"""Every rule threshold is declared once (config.Thresholds) and turned into both the settings and
the dbt vars; the defaults written elsewhere (dbt_project.yml, .env.example, the README's
configuration table, the briefs' settings) are checked against the declaration here."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml

from salespulse.briefs.render import BriefSettings
from salespulse.config import THRESHOLDS, Settings, Thresholds, load_settings
from salespulse.dbt_project import dbt_vars

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.mark.parametrize("threshold", [t for t in THRESHOLDS if t.dbt_var], ids=lambda t: t.name)
def test_dbt_project_default_is_the_declared_one(threshold):
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text(encoding="utf-8"))
    variables = project["vars"]
    assert threshold.dbt_var in variables, f"dbt_project.yml vars lack {threshold.dbt_var}"
    assert _same(variables[threshold.dbt_var], threshold.default), (
        f"dbt_project.yml: {threshold.dbt_var} = {variables[threshold.dbt_var]}, "
        f"declared default {threshold.default} (salespulse/config.py)"
    )


def test_models_do_not_repeat_a_declared_default():
    """`var('coaching_completion', 0.8)` would be a second place the default lives."""
    names = "|".join(re.escape(t.dbt_var) for t in THRESHOLDS if t.dbt_var)
    pattern = re.compile(rf"""var\(\s*['"]({names})['"]\s*,""")
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in sorted((ROOT / "dbt_project").rglob("*.sql"))
        if not {"target", "dbt_packages"} & set(path.parts)
        for match in pattern.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not offenders


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
