"""The check digest (group `quality`): every failed or skipped asset check of the latest run.

Open-source Dagster records failed checks but does not alert on them (dagster issue #29896).
`dq_check_digest` collects, for every asset check of the code location, its latest evaluation
and keeps the failed ones - dbt tests, the Great Expectations suites on raw tables and marts,
and the data-quality rule checks - in `marts.dq_check_digest` (one row per failed check, with
the reps concerned) and in its materialization metadata. Run inside the pipeline job, the
latest evaluation is this run's; a check of this run that has not run yet (checks and the
digest are siblings downstream of dbt) is evaluated here with the same code.

A check of this run that had nothing to evaluate (0 rows) yields no result: Dagster shows it as
skipped, and the digest lists it with status `skipped` and the reason, so that "passed" never
stands for "looked at nothing".
"""

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pandas as pd

from pipelines.defs.ingest.assets import GX_SKIPPED_NO_ROWS
from pipelines.defs.quality.checks import (
    ANOMALIES_KEY,
    GX_CHECK,
    GX_MARTS,
    KPI_REP_MONTHLY_KEY,
    KPI_TEAM_MONTHLY_KEY,
    SUBMISSIONS_KEY,
    SkippedCheck,
    evaluate_rules,
    evaluate_suites,
    rule_asset_key,
)
from pipelines.defs.resources import SettingsParam, WarehouseResource
from pipelines.defs.steps import PUBLISH_PRIORITY
from salespulse.marts import MissingRelation, as_marts
from salespulse.quality import rules

DIGEST_KEY = dg.AssetKey(["marts", "dq_check_digest"])
DIGEST_DDL = (Path(__file__).resolve().parent / "sql" / "dq_check_digest.sql").read_text(encoding="utf-8")

RULE_CHECK_KEYS = {dg.AssetCheckKey(rule_asset_key(rule), rule.name) for rule in rules.RULES}
SUITE_CHECK_KEYS = {dg.AssetCheckKey(key, GX_CHECK) for key in GX_MARTS.values()}


def raw_suite_check(key: dg.AssetCheckKey) -> bool:
    """A raw table's Great Expectations suite: run (or skipped) by the ingest step itself."""
    return key.name == GX_CHECK and key.asset_key.path[0] == "raw"


def _metadata_value(metadata, name: str):
    value = (metadata or {}).get(name)
    return getattr(value, "value", value)


def _row(evaluation, run_id: str, evaluated_at: datetime | None) -> dict:
    """One failed check; `evaluation` is an AssetCheckEvaluation or an AssetCheckResult."""
    reps = _metadata_value(evaluation.metadata, "reps_concerned") or []
    findings = _metadata_value(evaluation.metadata, "findings")
    if findings is None:
        findings = _metadata_value(evaluation.metadata, "dagster_dbt/failed_row_count")
    return {
        "asset_key": dg.AssetKey.from_coercible(evaluation.asset_key).to_user_string(),
        "check_name": evaluation.check_name,
        "status": "failed",
        "severity": evaluation.severity.value,
        "description": evaluation.description,
        "reason": None,
        "findings": int(findings) if isinstance(findings, int | float) else None,
        "reps_concerned": [str(rep) for rep in reps],
        # For the digest's text: '许鹏颖 (R023)' where the check names its reps (not stored).
        "reps_named": [str(rep) for rep in (_metadata_value(evaluation.metadata, "reps_named") or reps)],
        "check_run_id": run_id,
        "evaluated_at": evaluated_at,
    }


def _skipped_row(
    key: dg.AssetCheckKey, reason: str, run_id: str, at: datetime, skipped: SkippedCheck | None = None
) -> dict:
    return {
        "asset_key": key.asset_key.to_user_string(),
        "check_name": key.name,
        "status": "skipped",
        "severity": skipped.severity.value if skipped and skipped.severity else None,
        "description": skipped.description if skipped else None,
        "reason": reason,
        "findings": None,
        "reps_concerned": [],
        "check_run_id": run_id,
        "evaluated_at": at,
    }


def _key(result: dg.AssetCheckResult | SkippedCheck) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey.from_coercible(result.asset_key), result.check_name)


def collect_failed_checks(context: dg.AssetExecutionContext, con, tz: ZoneInfo) -> list[dict]:
    """The latest evaluation of every check of the job (the implicit asset job of the code
    location when the digest is materialised alone): the failed ones, and the ones this run
    skipped for want of rows to check; times in TZ, the business timezone."""
    check_keys = list(context.job_def.asset_layer.asset_graph.asset_check_keys)
    latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    evaluations = []
    pending: set[dg.AssetCheckKey] = set()
    for key in check_keys:
        record = latest.get(key)
        evaluation = record.event.dagster_event.event_specific_data if record and record.event else None
        if record is None or record.status.value == "PLANNED":
            # Planned in this run, not evaluated yet: ours are evaluated here, others skipped.
            if record is not None and record.run_id == context.run_id:
                pending.add(key)
            continue
        if evaluation is not None and not evaluation.passed:
            at = datetime.fromtimestamp(record.create_timestamp, UTC).astimezone(tz).replace(tzinfo=None)
            evaluations.append(_row(evaluation, record.run_id, at))
    now = datetime.now(tz).replace(tzinfo=None, microsecond=0)
    fresh = []
    if pending & RULE_CHECK_KEYS:
        fresh += list(evaluate_rules(con, context.run_id, only=pending & RULE_CHECK_KEYS))
    if pending & SUITE_CHECK_KEYS:
        fresh += [r for r in evaluate_suites(con) if _key(r) in pending]
    for result in fresh:
        if isinstance(result, SkippedCheck):
            evaluations.append(_skipped_row(_key(result), result.reason, context.run_id, now, result))
        elif not result.passed:
            evaluations.append(_row(result, context.run_id, now))
    # The raw tables' suites ran (or were skipped) in the ingest step, before this one.
    raw_suites = {key for key in pending if raw_suite_check(key)}
    for key in sorted(raw_suites, key=lambda k: k.asset_key.to_user_string()):
        evaluations.append(_skipped_row(key, GX_SKIPPED_NO_ROWS, context.run_id, now))
    order = {"failed": 0, "skipped": 1}
    severity = {"ERROR": 0, "WARN": 1}
    return sorted(
        evaluations,
        key=lambda r: (
            order[r["status"]],
            severity.get(r["severity"], 2),
            r["asset_key"],
            r["check_name"],
        ),
    )


def _rep_names(con) -> dict[str, str]:
    """Rep id → name from the roster (current rows), so the digest names the reps it lists."""
    try:
        return dict(
            as_marts(con)
            .execute("select rep_id, rep_name from marts.dim_reps where is_current and rep_name is not null")
            .rows
        )
    except MissingRelation:
        return {}


@dg.asset(
    key=DIGEST_KEY,
    group_name="quality",
    pool="warehouse",
    kinds={"duckdb"},
    op_tags=PUBLISH_PRIORITY,
    deps=[SUBMISSIONS_KEY, ANOMALIES_KEY, KPI_REP_MONTHLY_KEY, KPI_TEAM_MONTHLY_KEY],
    description=(
        "marts.dq_check_digest: every failed asset check of the latest run (dbt tests, Great "
        "Expectations suites, data-quality rules) with severity, findings and the reps concerned, "
        "and every check the run skipped because it had 0 rows to check, with the reason."
    ),
)
def dq_check_digest(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsParam
) -> dg.MaterializeResult:
    tz = ZoneInfo(settings.timezone)
    with warehouse.connect() as con:
        rows = collect_failed_checks(context, con, tz)
        names = _rep_names(con)
        digested_at = datetime.now(tz).replace(tzinfo=None, microsecond=0)
        frame = pd.DataFrame(
            [
                {
                    **row,
                    "rep_names_concerned": [names.get(rep, rep) for rep in row["reps_concerned"]],
                    "digest_run_id": context.run_id,
                    "digested_at": digested_at,
                }
                for row in rows
            ],
            columns=[
                "asset_key",
                "check_name",
                "status",
                "severity",
                "description",
                "reason",
                "findings",
                "reps_concerned",
                "rep_names_concerned",
                "check_run_id",
                "digest_run_id",
                "evaluated_at",
                "digested_at",
            ],
        )
        con.execute("create schema if not exists marts")
        con.execute(DIGEST_DDL)
        if rows:
            con.register("digest_rows", frame)
            con.execute("insert into marts.dq_check_digest by name select * from digest_rows")
    reps = sorted({rep for row in rows for rep in row["reps_concerned"]})
    failed = [row for row in rows if row["status"] == "failed"]
    return dg.MaterializeResult(
        metadata={
            "failed_checks": len(failed),
            "failed_error_checks": sum(row["severity"] == "ERROR" for row in failed),
            "skipped_checks": len(rows) - len(failed),
            "reps_concerned": dg.MetadataValue.json(reps),
            "digest": dg.MetadataValue.md(rules.digest_markdown(rows)),
            "dagster/row_count": len(rows),
        }
    )
