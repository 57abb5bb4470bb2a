"""Alerts: a failed run, and failed ERROR-severity asset checks in a run that otherwise succeeded
(open-source Dagster does not alert on failed checks by itself: dagster issue #29896)."""

import dagster as dg

from salespulse.alerts import Alert, send_alert
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
        failed.append(
            {
                "asset": evaluation.asset_key.to_user_string(),
                "check": evaluation.check_name,
                "description": (evaluation.description or "")[:200],
            }
        )
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
    alert = Alert(
        title=f"{len(failed)} ERROR check(s) failed in {context.dagster_run.job_name}",
        detail="The figures built by this run may be wrong until these are resolved.",
        run_id=context.dagster_run.run_id,
        items=failed,
    )
    send_alert(alert, get_settings().outbox_dir)
    return None
