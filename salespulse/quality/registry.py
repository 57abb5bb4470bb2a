"""What `salespulse rules` writes from the rules' declaration (dbt_project/quality.yml).

The declaration is read directly by the code (`salespulse.config.THRESHOLDS`,
`salespulse.quality.rules.RULES`); the other readers get a copy written from it, checked for
staleness by `salespulse rules --check` and the tests, as `salespulse kpis` does for the KPI marts:

- `macros/quality_catalog.sql`: the thresholds' defaults (the `threshold()` macro falls back to them
  when dbt runs without the pipeline's `--vars`) and each finding kind's check, category and
  severity (dq_anomalies' `category` and `severity`, and the test that every kind is declared);
- `models/quality/_quality__kinds.md`: the doc of dq_anomalies.kind, every check and its kinds;
- the thresholds' block of `.env.example` and their table in the README (a checkout only: an
  installed wheel has neither).
"""

from __future__ import annotations

from pathlib import Path

from salespulse.config import PROJECT_ROOT, THRESHOLDS
from salespulse.dbt_project import DBT_PROJECT_DIR
from salespulse.declared import json_macro, stale_files, write_files
from salespulse.quality.rules import ANOMALIES, RULES

CATALOG_MACRO = Path("macros") / "quality_catalog.sql"
KINDS_DOC = Path("models") / "quality" / "_quality__kinds.md"
ENV_BEGIN = "# >>> rule thresholds: written by `salespulse rules` from dbt_project/quality.yml"
ENV_END = "# <<< rule thresholds"
README_BEGIN = "<!-- rule thresholds: written by `salespulse rules` from dbt_project/quality.yml -->"
README_END = "<!-- end of rule thresholds -->"


def catalog() -> dict:
    """What the dbt macros read."""
    return {
        "thresholds": {t.dbt_var: t.default for t in THRESHOLDS if t.dbt_var},
        "kinds": {
            kind: {"check": rule.name, "category": rule.category, "severity": rule.severity}
            for rule in RULES
            if rule.table == ANOMALIES
            for kind in rule.values
        },
    }


def catalog_macro() -> str:
    return json_macro(
        "quality_catalog",
        "Written by `salespulse rules` from dbt_project/quality.yml: edit that file, not this one.\n"
        "    The thresholds' defaults and each finding kind's check, category and severity.",
        catalog(),
    )


def kinds_doc() -> str:
    """The doc block of dq_anomalies.kind: every check of the mart and the kinds it groups."""
    lines = [
        "{% docs dq_finding_kinds %}",
        "The rule that fired, one of the kinds below; each belongs to one check declared in",
        "dbt_project/quality.yml (the Dagster asset check of that name, with its severity):",
        "",
    ]
    for rule in RULES:
        if rule.table != ANOMALIES:
            continue
        lines.append(f"- check {rule.name} ({rule.severity}, {rule.category}): {rule.description}")
        lines += [f"  - {kind}: {text}" for kind, text in rule.kind_docs]
    return "\n".join(
        [
            "{#- Written by `salespulse rules` from dbt_project/quality.yml: "
            "edit that file, not this one. -#}",
            *lines,
            "{% enddocs %}",
            "",
        ]
    )


def env_block() -> str:
    lines = [ENV_BEGIN]
    for t in THRESHOLDS:
        lines += [f"# {' '.join(t.meaning.split())}", f"{t.env}={t.default}"]
    return "\n".join([*lines, ENV_END])


def readme_block() -> str:
    lines = [README_BEGIN, "| variable | default | meaning |", "|---|---|---|"]
    for t in THRESHOLDS:
        meaning = " ".join(t.meaning.split()).replace("|", "\\|")
        applied = " (dbt var `" + t.dbt_var + "`)" if t.dbt_var else ""
        lines.append(f"| `{t.env}` | `{t.default}` | {meaning}{applied} |")
    return "\n".join([*lines, README_END])


def _replaced(path: Path, begin: str, end: str, block: str) -> str:
    text = path.read_text(encoding="utf-8")
    if text.count(begin) != 1 or text.count(end) != 1 or text.index(begin) > text.index(end):
        raise ValueError(
            f"{path}: the rule thresholds' block must be between the lines {begin!r} and {end!r}"
        )
    head, rest = text.split(begin, 1)
    return head + block + rest.split(end, 1)[1]


def outputs(project_dir: Path = DBT_PROJECT_DIR, root: Path = PROJECT_ROOT) -> dict[Path, str]:
    written = {project_dir / CATALOG_MACRO: catalog_macro(), project_dir / KINDS_DOC: kinds_doc()}
    for name, begin, end, block in (
        (".env.example", ENV_BEGIN, ENV_END, env_block()),
        ("README.md", README_BEGIN, README_END, readme_block()),
    ):
        if (root / name).is_file():
            written[root / name] = _replaced(root / name, begin, end, block)
    return written


def stale(project_dir: Path = DBT_PROJECT_DIR, root: Path = PROJECT_ROOT) -> list[Path]:
    """The written files that differ from what the declaration gives now."""
    return stale_files(outputs(project_dir, root))


def write(project_dir: Path = DBT_PROJECT_DIR, root: Path = PROJECT_ROOT) -> list[Path]:
    """Write the files that changed; returns them."""
    return write_files(outputs(project_dir, root))
