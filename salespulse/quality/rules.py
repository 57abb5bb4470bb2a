"""The data-quality checks on the dq marts, free of Dagster: what each check reports and for whom.

The rules themselves live in dbt (`dbt_project/models/quality`): every finding is a row of
`marts.dq_submissions` (late, missing) or `marts.dq_anomalies` (everything else). The checks are
declared in dbt_project/quality.yml (`RULES`, with what each looks at: its population). A check
here only groups those rows: it fails when its rows exist, and says which reps and teams they
concern, so the Dagster UI shows what failed and for whom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from salespulse.config import QUALITY_DECLARATION
from salespulse.marts import Marts, MissingRelation, as_marts

SUBMISSIONS = "dq_submissions"
ANOMALIES = "dq_anomalies"

# One frame shape for both marts: what the metadata tables and the digest show.
_SUBMISSION_FINDINGS = """
select
    s.expected_report_id || ':' || s.status as finding_id,
    s.rep_id, r.rep_name, s.team_id, s.report_type || '_' || s.status as kind,
    s.period_start as start_date, s.period_end as end_date,
    s.report_type || ' report ' || s.period_label || ' ' || s.status
        || coalesce(' by ' || s.minutes_late || ' min', '') as detail
from marts.dq_submissions as s
left join marts.dim_reps as r on s.rep_id = r.rep_id and r.is_current
where s.status in ({values})
order by s.period_start desc, s.rep_id
"""

_ANOMALY_FINDINGS = """
select
    a.anomaly_id as finding_id, a.rep_id, r.rep_name, a.team_id, a.kind, a.start_date, a.end_date, a.detail
from marts.dq_anomalies as a
left join marts.dim_reps as r on a.rep_id = r.rep_id and r.is_current
where a.kind in ({values})
order by a.start_date desc, a.rep_id, a.anomaly_id
"""


SEVERITIES = ("error", "warn")
CATEGORIES = ("data_quality", "performance")


@dataclass(frozen=True)
class CheckRule:
    """One asset check: the rows of `table` whose kind (or status) is in `values`, looked for
    among the rows `population` counts."""

    name: str
    table: str
    values: tuple[str, ...]
    severity: str  # "error" | "warn"
    description: str
    population: dict[str, str] = field(default_factory=dict)
    category: str = "data_quality"
    # (kind, what it flags) for the mart's docs; empty for the statuses of dq_submissions.
    kind_docs: tuple[tuple[str, str], ...] = ()


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def _populations(declared: dict, path: Path) -> dict[str, dict[str, str]]:
    """What each population counts: {label: SQL counting the rows}, built from identifiers only."""
    populations = {}
    for name, sources in declared.items():
        counts = {}
        for source in sources:
            where = f"{path.name}: population {name!r}"
            if set(source) - {"mart", "rows", "not_null"} or not {"mart", "rows"} <= set(source):
                raise ValueError(
                    f"{where}: each source takes mart, rows (and not_null), got {sorted(source)}"
                )
            for key in ("mart", "not_null"):
                if key in source and not _IDENTIFIER.fullmatch(str(source[key])):
                    raise ValueError(f"{where}: {key} must be a column or mart name, got {source[key]!r}")
            sql = f"select count(*) from marts.{source['mart']}"
            if "not_null" in source:
                sql += f" where {source['not_null']} is not null"
            counts[f"{source['rows']} (marts.{source['mart']})"] = sql
        populations[name] = counts
    return populations


def declared_rules(path: Path = QUALITY_DECLARATION) -> tuple[CheckRule, ...]:
    """The checks dbt_project/quality.yml declares, each mistake in it named."""
    declaration = yaml.safe_load(path.read_text(encoding="utf-8"))
    populations = _populations(declaration["populations"], path)
    checks = declaration["checks"]
    rules, owner = [], {}
    for entry in checks:
        where = f"{path.name}: check {entry.get('name')!r}"
        values_key = {SUBMISSIONS: "statuses", ANOMALIES: "kinds"}.get(entry.get("mart"))
        if values_key is None:
            raise ValueError(f"{where}: mart must be {SUBMISSIONS} or {ANOMALIES}, got {entry.get('mart')!r}")
        allowed = {"name", "mart", values_key, "severity", "category", "population", "description"}
        if set(entry) - allowed or not allowed - {"category"} <= set(entry):
            raise ValueError(f"{where}: takes {sorted(allowed)} (category optional), got {sorted(entry)}")
        if entry["severity"] not in SEVERITIES:
            raise ValueError(f"{where}: severity must be one of {SEVERITIES}, got {entry['severity']!r}")
        category = entry.get("category", "data_quality")
        if category not in CATEGORIES:
            raise ValueError(f"{where}: category must be one of {CATEGORIES}, got {category!r}")
        if entry["population"] not in populations:
            raise ValueError(
                f"{where}: population must be one of {sorted(populations)}, got {entry['population']!r}"
            )
        values = entry[values_key]
        if entry["mart"] == ANOMALIES and not (
            isinstance(values, dict) and values and all(isinstance(v, str) and v for v in values.values())
        ):
            raise ValueError(f"{where}: kinds must map each finding kind to what it flags")
        if entry["mart"] == SUBMISSIONS and not (isinstance(values, list) and values):
            raise ValueError(f"{where}: statuses must be a list of dq_submissions statuses")
        for value in values:
            if (entry["mart"], value) in owner:
                raise ValueError(
                    f"{where}: {value!r} already belongs to check {owner[entry['mart'], value]!r}"
                )
            owner[entry["mart"], value] = entry["name"]
        rules.append(
            CheckRule(
                entry["name"],
                entry["mart"],
                tuple(entry[values_key]),
                entry["severity"],
                " ".join(entry["description"].split()),
                populations[entry["population"]],
                category,
                tuple((kind, " ".join(text.split())) for kind, text in values.items())
                if isinstance(values, dict)
                else (),
            )
        )
    if len({rule.name for rule in rules}) != len(rules):
        raise ValueError(f"{path.name}: two checks share a name")
    return tuple(rules)


RULES: tuple[CheckRule, ...] = declared_rules()


@dataclass
class CheckOutcome:
    rule: CheckRule
    findings: pd.DataFrame
    reps: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    skipped_reason: str | None = None  # set when there was nothing to check

    @property
    def skipped(self) -> bool:
        return self.skipped_reason is not None

    @property
    def passed(self) -> bool:
        return self.findings.empty

    @property
    def count(self) -> int:
        return len(self.findings)


def population(con: Marts, rule: CheckRule) -> dict[str, int] | None:
    """Rows the rule looks at, by source; None when a source is not built (then nobody can say)."""
    counts = {}
    for label, sql in rule.population.items():
        try:
            counts[label] = int(as_marts(con).execute(sql).scalar())
        except MissingRelation:
            return None
    return counts


def skip_reason(con: Marts, rule: CheckRule) -> str | None:
    """Why the rule cannot say anything (every source it looks at is empty), or None."""
    counts = population(con, rule)
    if not counts or any(counts.values()):
        return None
    return "nothing to check: 0 " + ", 0 ".join(counts)


def evaluate(con: Marts, rule: CheckRule) -> CheckOutcome:
    """The rule's findings, read from the marts of any engine (or a DuckDB connection)."""
    reason = skip_reason(con, rule)
    if reason is not None:
        empty = pd.DataFrame(
            columns=[
                "finding_id",
                "rep_id",
                "rep_name",
                "team_id",
                "kind",
                "start_date",
                "end_date",
                "detail",
            ]
        )
        return CheckOutcome(rule, empty, skipped_reason=reason)
    sql = _SUBMISSION_FINDINGS if rule.table == SUBMISSIONS else _ANOMALY_FINDINGS
    # The kinds are bound, one parameter each: `in (...)` reads the same on every engine.
    values = {f"v{i}": value for i, value in enumerate(rule.values)}
    frame = as_marts(con).frame(sql.format(values=", ".join(f"${name}" for name in values) or "null"), values)
    reps = sorted(frame["rep_id"].dropna().unique().tolist())
    teams = sorted(frame["team_id"].dropna().unique().tolist())
    return CheckOutcome(rule, frame, reps, teams)


def rep_named(rep_id, rep_name) -> str:
    """'许鹏颖 (R023)': checks and digests name reps by name and id."""
    if rep_id is None or (not isinstance(rep_id, str) and pd.isna(rep_id)):
        return ""
    if rep_name is None or (not isinstance(rep_name, str) and pd.isna(rep_name)):
        return str(rep_id)
    return f"{rep_name} ({rep_id})"


def named_reps(findings: pd.DataFrame) -> list[str]:
    pairs = findings[["rep_id", "rep_name"]].dropna(subset=["rep_id"]).drop_duplicates("rep_id")
    return sorted(rep_named(r.rep_id, r.rep_name) for r in pairs.itertuples(index=False))


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | date):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("|", "\\|")


def by_rep_markdown(findings: pd.DataFrame, limit: int = 50) -> str:
    """Reps concerned, most findings first: what the UI shows under the failed check."""
    if findings.empty:
        return "No findings."
    names = [
        rep_named(i, n) or "(none)" for i, n in zip(findings["rep_id"], findings["rep_name"], strict=True)
    ]
    frame = findings.assign(rep_id=names)
    grouped = (
        frame.groupby("rep_id", dropna=False)
        .agg(
            team_id=("team_id", "last"),
            findings=("kind", "size"),
            kinds=("kind", lambda s: ", ".join(sorted(set(s)))),
            latest=("end_date", "max"),
        )
        .sort_values(["findings", "latest"], ascending=[False, False])
        .head(limit)
    )
    lines = ["| rep | team | findings | kinds | latest |", "|---|---|---:|---|---|"]
    for rep, row in grouped.iterrows():
        cells = [_cell(rep), _cell(row.team_id), str(row.findings), _cell(row.kinds), _cell(row.latest)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def findings_markdown(findings: pd.DataFrame, limit: int = 30) -> str:
    """The most recent findings, one line each."""
    if findings.empty:
        return "No findings."
    lines = ["| rep | team | kind | from | to | detail |", "|---|---|---|---|---|---|"]
    for row in findings.head(limit).itertuples(index=False):
        lines.append(
            f"| {_cell(rep_named(row.rep_id, row.rep_name))} | {_cell(row.team_id)} | {_cell(row.kind)} "
            f"| {_cell(row.start_date)} "
            f"| {_cell(row.end_date)} | {_cell(row.detail)} |"
        )
    if len(findings) > limit:
        lines.append(f"\n… and {len(findings) - limit} more: query marts.{ANOMALIES} / marts.{SUBMISSIONS}.")
    return "\n".join(lines)


def digest_markdown(rows: list[dict]) -> str:
    """The failed and skipped checks of a run, as the digest asset's metadata shows them."""
    failed = [row for row in rows if row.get("status", "failed") == "failed"]
    skipped = [row for row in rows if row.get("status") == "skipped"]
    lines = []
    if failed:
        lines += ["| asset | check | severity | findings | reps concerned |", "|---|---|---|---:|---|"]
        for row in failed:
            named = row.get("reps_named") or row["reps_concerned"]
            reps = ", ".join(named[:20]) + (" …" if len(named) > 20 else "")
            findings = "" if row["findings"] is None else row["findings"]
            lines.append(
                f"| {_cell(row['asset_key'])} | {_cell(row['check_name'])} | {row['severity']} "
                f"| {findings} | {_cell(reps)} |"
            )
    else:
        lines.append("Every check that had rows to check passed.")
    if skipped:
        lines += ["", "Skipped (nothing to check):", "", "| asset | check | reason |", "|---|---|---|"]
        lines += [
            f"| {_cell(row['asset_key'])} | {_cell(row['check_name'])} | {_cell(row['reason'])} |"
            for row in skipped
        ]
    return "\n".join(lines)
