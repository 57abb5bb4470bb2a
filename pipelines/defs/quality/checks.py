"""Asset checks on the data-quality marts: one check per rule family, failing with the reps concerned.

A rule check fails on news only: the findings this run found that no earlier run had (kept in
`dq_state.findings_seen`, one row per check and finding with the run that first saw it). A
finding from a year ago fails the check once, in the run that loaded it, and is never alerted
again; the whole history stays in marts.dq_anomalies / dq_submissions and in the briefs. A
finding counts as seen only once its run has published analytics.duckdb (`confirm_findings`):
what a run that died before then saw is news again for the next run, so its digest and alert
are not lost with the crash.

The findings are rows of marts.dq_submissions and marts.dq_anomalies (dbt, `models/quality`);
these checks turn them into Dagster check results (ERROR for impossible data, unknown references
and overpayments, WARN for the rest) whose metadata lists the reps and teams concerned. Great
Expectations suites (`expectations/marts/*.json`) check distributions and ranges of
the KPI and submission marts that dbt tests do not.

A check with nothing to look at (its mart, or every source a rule reads, has 0 rows) is skipped,
not passed: it yields no result, so the UI shows it as skipped, the run log says why, and the
check digest lists it with the reason.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg
import duckdb

from pipelines.defs.resources import WarehouseResource
from pipelines.defs.steps import PUBLISH_PRIORITY
from salespulse.config import RESOURCE_ROOT
from salespulse.marts import Marts, as_marts
from salespulse.quality import rules
from salespulse.quality.seen import new_findings

# dagster-dbt keys a model by its schema and name.
SUBMISSIONS_KEY = dg.AssetKey(["marts", rules.SUBMISSIONS])
ANOMALIES_KEY = dg.AssetKey(["marts", rules.ANOMALIES])
KPI_REP_MONTHLY_KEY = dg.AssetKey(["marts", "kpi_rep_monthly"])
KPI_TEAM_MONTHLY_KEY = dg.AssetKey(["marts", "kpi_team_monthly"])

MART_SUITES_DIR = RESOURCE_ROOT / "expectations" / "marts"
# Mart (table in schema marts) → its asset key; one GX suite per mart: expectations/<mart>.json.
GX_MARTS = {
    "kpi_rep_monthly": KPI_REP_MONTHLY_KEY,
    "kpi_team_monthly": KPI_TEAM_MONTHLY_KEY,
    rules.SUBMISSIONS: SUBMISSIONS_KEY,
}
GX_CHECK = "great_expectations"


def rule_asset_key(rule: rules.CheckRule) -> dg.AssetKey:
    return SUBMISSIONS_KEY if rule.table == rules.SUBMISSIONS else ANOMALIES_KEY


@dataclass(frozen=True)
class SkippedCheck:
    """A check that had nothing to evaluate, and why."""

    asset_key: dg.AssetKey
    check_name: str
    severity: dg.AssetCheckSeverity | None  # what a failure would have been, where known
    description: str
    reason: str


CheckOutcome = dg.AssetCheckResult | SkippedCheck


def _severity(level: str) -> dg.AssetCheckSeverity:
    return dg.AssetCheckSeverity.ERROR if level == "error" else dg.AssetCheckSeverity.WARN


def rule_result(outcome: rules.CheckOutcome, new=None) -> CheckOutcome:
    """Passes unless there is news: `new` are the findings first seen in this run (None: every
    finding counts, as when no run is known). Skipped when the rule had nothing to look at."""
    rule = outcome.rule
    if outcome.skipped:
        return SkippedCheck(
            rule_asset_key(rule),
            rule.name,
            _severity(rule.severity),
            rule.description,
            outcome.skipped_reason,
        )
    news = outcome.findings if new is None else new
    fresh = rules.CheckOutcome(rule, news, sorted(news["rep_id"].dropna().unique().tolist()))
    return dg.AssetCheckResult(
        asset_key=rule_asset_key(rule),
        check_name=rule.name,
        passed=news.empty,
        severity=_severity(rule.severity),
        description=rule.description,
        metadata={
            "findings": outcome.count,
            "new_findings": len(news),
            "new_finding_ids": dg.MetadataValue.json(news["finding_id"].head(500).tolist()),
            "reps_concerned": dg.MetadataValue.json(fresh.reps),
            "reps_named": dg.MetadataValue.json(rules.named_reps(news)),
            "teams_concerned": dg.MetadataValue.json(sorted(news["team_id"].dropna().unique().tolist())),
            "by_rep": dg.MetadataValue.md(rules.by_rep_markdown(news)),
            "latest_findings": dg.MetadataValue.md(rules.findings_markdown(news)),
            "all_findings_by_rep": dg.MetadataValue.md(rules.by_rep_markdown(outcome.findings)),
            "kinds": dg.MetadataValue.json(list(rule.values)),
        },
    )


def evaluate_rules(
    con: duckdb.DuckDBPyConnection,
    run_id: str | None = None,
    only: set[dg.AssetCheckKey] | None = None,
) -> Iterator[CheckOutcome]:
    """The rule checks (`only` these, when given). Only what is evaluated is recorded as seen:
    a rule this run does not report keeps its findings news for the run that does."""
    for rule in rules.RULES:
        if only is not None and dg.AssetCheckKey(rule_asset_key(rule), rule.name) not in only:
            continue
        outcome = rules.evaluate(con, rule)
        seen = run_id is not None and not outcome.skipped
        yield rule_result(outcome, new_findings(con, rule.name, outcome.findings, run_id) if seen else None)


def evaluate_suites(con: Marts | duckdb.DuckDBPyConnection) -> Iterator[CheckOutcome]:
    """The GX suites on the marts, read from any engine."""
    validator = None
    for mart, key in GX_MARTS.items():
        if not as_marts(con).execute(f"select exists (select 1 from marts.{mart})").scalar():
            yield SkippedCheck(
                key,
                GX_CHECK,
                None,
                f"Great Expectations suite expectations/marts/{mart}.json",
                f"nothing to check: marts.{mart} has 0 rows",
            )
            continue
        if validator is None:
            from salespulse.quality.expectations import Validator

            validator = Validator(MART_SUITES_DIR)
        outcome = validator.validate_table(mart, con, f"marts.{mart}")
        yield dg.AssetCheckResult(
            asset_key=key,
            check_name=GX_CHECK,
            passed=outcome.success,
            severity=_severity(outcome.severity),
            description=f"Great Expectations suite expectations/marts/{mart}.json",
            metadata={
                "rows_validated": outcome.rows,
                "expectations_evaluated": outcome.evaluated,
                "failed_expectations": dg.MetadataValue.json(outcome.failures),
            },
        )


RULE_CHECK_SPECS = [
    dg.AssetCheckSpec(rule.name, asset=rule_asset_key(rule), description=rule.description)
    for rule in rules.RULES
]
SUITE_CHECK_SPECS = [
    dg.AssetCheckSpec(
        GX_CHECK, asset=key, description=f"Great Expectations suite expectations/marts/{mart}.json"
    )
    for mart, key in GX_MARTS.items()
]


def _selected(
    context: dg.AssetCheckExecutionContext, results: Iterator[CheckOutcome]
) -> Iterator[dg.AssetCheckResult]:
    """Only the checks the run selected (a user may run some of them from the UI); a skipped
    check yields nothing (Dagster shows it as skipped) and the log says why."""
    selected = context.selected_asset_check_keys
    for result in results:
        if dg.AssetCheckKey(result.asset_key, result.check_name) not in selected:
            continue
        if isinstance(result, SkippedCheck):
            context.log.info(
                f"check {result.check_name} of {result.asset_key.to_user_string()} skipped: {result.reason}"
            )
            continue
        yield result


@dg.multi_asset_check(
    specs=RULE_CHECK_SPECS, name="dq_rule_checks", pool="warehouse", can_subset=True, op_tags=PUBLISH_PRIORITY
)
def dq_rule_checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Late, missing, streaks, anomalies, impossible data, unknown references, overpayments."""
    with warehouse.connect() as con:
        selected = set(context.selected_asset_check_keys)
        yield from _selected(context, evaluate_rules(con, context.op_execution_context.run_id, only=selected))


@dg.multi_asset_check(
    specs=SUITE_CHECK_SPECS,
    name="dq_mart_expectations",
    pool="warehouse",
    can_subset=True,
    op_tags=PUBLISH_PRIORITY,
)
def dq_mart_expectations(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Great Expectations suites on the KPI and submission marts."""
    with warehouse.connect() as con:
        yield from _selected(context, evaluate_suites(con))
