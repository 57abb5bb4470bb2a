"""Alerts: a failed run, and failed ERROR-severity asset checks in a run that otherwise succeeded
(open-source Dagster does not alert on failed checks by itself: dagster issue #29896)."""

import dagster as dg

from salespulse.alerts import Alert, alerted_before, record_alerted, send_alert
from salespulse.config import get_settings


@dg.run_failure_sensor(
    name="alert_on_run_failure",
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="E-mail and/or webhook when a run fails "
    "(SALESPULSE_ALERT_EMAILS, SALESPULSE_ALERT_WEBHOOK_URL).",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    failure = context.failure_event
    message = failure.message if failure else "run failed"
    steps = [event.step_key for event in context.get_step_failure_events() if event.step_key]
    alert = Alert(
        title=f"run failed: {context.dagster_run.job_name}",
        detail=message or "",
        run_id=context.dagster_run.run_id,
        items=[{"step": step} for step in steps],
    )
    send_alert(alert, get_settings().outbox_dir)


def _metadata(evaluation, name: str):
    value = (evaluation.metadata or {}).get(name)
    return getattr(value, "value", value)


def fingerprints(check: dict) -> list[str]:
    """One fingerprint per finding: the rule checks list the ids of their new findings; any
    other check (a dbt test) is one finding per number of failing rows."""
    base = f"{check['asset']}:{check['check']}"
    if check.get("finding_ids"):
        return [f"{base}:{finding}" for finding in check["finding_ids"]]
    return [f"{base}:rows={check.get('failed_rows')}"]


def failed_error_checks(instance: dg.DagsterInstance, run_id: str) -> list[dict]:
    """ERROR-severity asset checks that failed in a run."""
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    failed = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.passed or evaluation.severity != dg.AssetCheckSeverity.ERROR:
            continue
        item = {
            "asset": evaluation.asset_key.to_user_string(),
            "check": evaluation.check_name,
            "description": (evaluation.description or "")[:200],
        }
        reps = _metadata(evaluation, "reps_named")
        if reps:
            item["reps"] = ", ".join(reps[:20])
        ids = _metadata(evaluation, "new_finding_ids")
        if ids:
            item["finding_ids"] = list(ids)
        rows = _metadata(evaluation, "dagster_dbt/failed_row_count")
        if rows is not None:
            item["failed_rows"] = rows
        failed.append(item)
    return failed


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="alert_on_failed_error_checks",
    default_status=dg.DefaultSensorStatus.RUNNING,
    monitor_all_code_locations=False,
    description="E-mail and/or webhook when a run's ERROR-severity asset checks failed.",
)
def alert_on_failed_error_checks(context: dg.RunStatusSensorContext):
    failed = failed_error_checks(context.instance, context.dagster_run.run_id)
    if not failed:
        return dg.SkipReason("no failed ERROR-severity checks")
    outbox = get_settings().outbox_dir
    seen = alerted_before(outbox)
    news = []
    for check in failed:
        fresh = [f for f in fingerprints(check) if f not in seen]
        if fresh:
            news.append((check, fresh))
    if not news:
        return dg.SkipReason("the failed ERROR checks report only findings already alerted")
    items = [
        {k: v for k, v in check.items() if k not in ("finding_ids",)} | {"new_findings": len(fresh)}
        for check, fresh in news
    ]
    alert = Alert(
        title=f"{len(news)} ERROR check(s) failed in {context.dagster_run.job_name}",
        detail="New findings since the last run; the figures built by this run may be wrong until "
        "they are resolved. Earlier findings stay in marts.dq_anomalies and the briefs.",
        run_id=context.dagster_run.run_id,
        items=items,
    )
    send_alert(alert, outbox)
    record_alerted(outbox, [f for _, fresh in news for f in fresh], context.dagster_run.run_id)
    return None
