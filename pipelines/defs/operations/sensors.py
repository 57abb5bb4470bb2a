"""Alerts: a failed run, and failed ERROR-severity asset checks in a run that otherwise succeeded
(open-source Dagster does not alert on failed checks by itself: dagster issue #29896); runs whose
process died are freed, and a run stuck beyond SALESPULSE_RUN_STUCK_MINUTES is named."""

import json

import dagster as dg

from pipelines.runs import recover_dead_runs, runs_in_progress, slot_holders, stop_orphaned_builds, stuck_runs
from salespulse.alerts import Alert, AlertSettings, alerted_before, record_alerted, send_alert
from salespulse.config import Settings


def build_alert_on_run_failure(settings: Settings) -> dg.SensorDefinition:
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
        send_alert(alert, settings.outbox_dir, AlertSettings.from_settings(settings))

    return alert_on_run_failure


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


def build_alert_on_failed_error_checks(settings: Settings) -> dg.SensorDefinition:
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
        outbox = settings.outbox_dir
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
        send_alert(alert, outbox, AlertSettings.from_settings(settings))
        record_alerted(outbox, [f for _, fresh in news for f in fresh], context.dagster_run.run_id)
        return None

    return alert_on_failed_error_checks


def build_watch_runs(settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="watch_runs",
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Marks runs whose process is gone (kill -9, host restart) as failed and frees their "
        "warehouse slot, so that the next run does not wait forever, and stops the dbt builds they left "
        "running; alerts once on a run queued or in progress for longer than SALESPULSE_RUN_STUCK_MINUTES.",
    )
    def watch_runs(context: dg.SensorEvaluationContext):
        notes = recover_dead_runs(context.instance)
        if not runs_in_progress(context.instance):
            notes += stop_orphaned_builds(settings.warehouse_path)
        for note in notes:
            context.log.warning(note)
        minutes = settings.run_stuck_minutes
        alerted = set(json.loads(context.cursor)) if context.cursor else set()
        stuck = [info for info in stuck_runs(context.instance, minutes) if info.run_id not in alerted]
        holders = slot_holders(context.instance)
        for info in stuck:
            waits_for = [h.describe() for h in holders if h.run_id != info.run_id]
            send_alert(
                Alert(
                    title=f"run stuck: {info.job_name} has been {info.state} for more than {minutes} minutes",
                    detail=(
                        f"{info.describe()} is still {info.state} after SALESPULSE_RUN_STUCK_MINUTES="
                        f"{minutes}. "
                        + (
                            f"The warehouse is held by {'; '.join(waits_for)}."
                            if waits_for
                            else "Nothing else holds the warehouse: the run itself is slow or hanging."
                        )
                        + " A run whose process died is freed by this sensor within a minute; a live "
                        "one can be stopped in the UI (Terminate) or with Ctrl-C where it was started."
                    ),
                    severity="warning",
                    run_id=info.run_id,
                    items=[{"holds the warehouse": text} for text in waits_for],
                ),
                settings.outbox_dir,
                AlertSettings.from_settings(settings),
            )
            alerted.add(info.run_id)
        live = {info.run_id for info in stuck_runs(context.instance, minutes)}
        context.update_cursor(json.dumps(sorted(alerted & live)))
        if not notes and not stuck:
            return dg.SkipReason("no dead or stuck runs")
        return dg.SkipReason(f"{len(notes)} dead run(s) freed, {len(stuck)} stuck run(s) alerted")

    return watch_runs


def build_operations_sensors(settings: Settings) -> list[dg.SensorDefinition]:
    """The alerting and run-watching sensors, sending where SETTINGS say."""
    return [
        build_alert_on_run_failure(settings),
        build_alert_on_failed_error_checks(settings),
        build_watch_runs(settings),
    ]
