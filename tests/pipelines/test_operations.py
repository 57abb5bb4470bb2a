"""Schedules follow the working-day calendar; alerts reach a webhook and an SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from aiosmtpd.controller import Controller

from pipelines.definitions import build_definitions
from pipelines.defs.operations.sensors import (
    build_alert_on_failed_error_checks,
    build_alert_on_run_failure,
    failed_error_checks,
)
from salespulse.alerts import Alert, AlertSettings, send_alert
from salespulse.config import get_settings, load_settings

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def defs():
    """The code location with the default settings (Asia/Shanghai, deadlines 17:00 and Monday 12:00)."""
    return build_definitions(load_settings())


def _evaluate(defs, name: str, when: datetime):
    context = dg.build_schedule_context(
        scheduled_execution_time=when.replace(tzinfo=SHANGHAI), repository_def=defs.get_repository_def()
    )
    return defs.resolve_schedule_def(name).evaluate_tick(context)


@pytest.mark.parametrize(
    ("day", "partition"),
    [
        (date(2026, 10, 9), "2026-10-09"),  # an ordinary Friday
        (date(2026, 10, 10), "2026-10-10"),  # 调休 Saturday: reports are due, the digest goes out
        (date(2026, 10, 5), None),  # Golden Week Monday: no run, no digest
        (date(2026, 10, 11), None),  # an ordinary Sunday
    ],
)
def test_daily_run_only_on_working_days(defs, day, partition):
    result = _evaluate(defs, "daily_after_deadline", datetime(day.year, day.month, day.day, 17, 30))
    if partition is None:
        assert not result.run_requests and "not a working day" in result.skip_message
    else:
        assert [r.partition_key for r in result.run_requests] == [partition]


def test_weekly_run_renders_the_week_just_ended(defs):
    result = _evaluate(defs, "weekly_after_deadline", datetime(2026, 11, 23, 12, 30))
    assert [r.partition_key for r in result.run_requests] == ["2026-11-16"]


def test_monthly_run_on_the_first_working_day_only(defs):
    # October 2026 starts with the National Day holiday (1-7 Oct): its first working day is the 8th.
    assert not _evaluate(defs, "monthly_first_workday", datetime(2026, 10, 1, 9)).run_requests
    assert not _evaluate(defs, "monthly_first_workday", datetime(2026, 10, 7, 9)).run_requests
    assert not _evaluate(defs, "monthly_first_workday", datetime(2026, 10, 9, 9)).run_requests
    result = _evaluate(defs, "monthly_first_workday", datetime(2026, 10, 8, 9))
    assert [r.partition_key for r in result.run_requests] == ["2026-09-01"]
    result = _evaluate(defs, "monthly_first_workday", datetime(2026, 6, 1, 9))
    assert [r.partition_key for r in result.run_requests] == ["2026-05-01"]


def test_schedule_crons_come_from_the_deadlines(defs, monkeypatch):
    daily, weekly = (
        defs.resolve_schedule_def("daily_after_deadline"),
        defs.resolve_schedule_def("weekly_after_deadline"),
    )
    assert daily.cron_schedule == "30 17 * * *"
    assert weekly.cron_schedule == "30 12 * * 1"
    assert daily.execution_timezone == "Asia/Shanghai"
    # Other settings, other definitions: nothing was fixed when the modules were imported.
    monkeypatch.setenv("SALESPULSE_DAILY_DEADLINE", "18:15")
    monkeypatch.setenv("SALESPULSE_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("SALESPULSE_LANDING_SENSOR_INTERVAL_SECONDS", "42")
    other = build_definitions(load_settings())
    assert other.resolve_schedule_def("daily_after_deadline").cron_schedule == "45 18 * * *"
    assert other.resolve_schedule_def("daily_after_deadline").execution_timezone == "Europe/Berlin"
    assert other.resolve_schedule_def("landing_poll_schedule").execution_timezone == "Europe/Berlin"
    assert other.resolve_sensor_def("landing_sensor").minimum_interval_seconds == 42
    partitions = other.resolve_job_def("weekly_briefs").partitions_def
    assert partitions.timezone == "Europe/Berlin"


class _Hook(BaseHTTPRequestHandler):
    received: list = []  # noqa: RUF012

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def webhook():
    _Hook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", _Hook.received
    server.shutdown()


@pytest.fixture
def smtp(monkeypatch):
    inbox = _Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SALESPULSE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SALESPULSE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("SALESPULSE_SMTP_FROM", "salespulse@test.local")
    yield inbox
    controller.stop()


def test_alert_reaches_webhook_and_email_and_is_recorded(home, webhook, smtp):
    url, received = webhook
    alert = Alert(
        title="run failed: daily_run", detail="boom", run_id="abc", items=[{"step": "dbt_warehouse"}]
    )
    mail = load_settings().smtp  # SALESPULSE_SMTP_* as the smtp fixture set them
    assert mail is not None and mail.sender == "salespulse@test.local"
    alerts = AlertSettings(emails=("ops@test.local",), webhook_url=url, smtp=mail)
    outcome = send_alert(alert, home.outbox_dir, alerts)
    assert outcome == {"webhook": "sent", "email:ops@test.local": "sent"}
    assert (
        received[0]["title"] == "run failed: daily_run" and "dbt_warehouse" in received[0]["text"]["content"]
    )
    (recipients, content) = smtp.messages[0]
    assert recipients == ["ops@test.local"] and "[salespulse] run failed: daily_run" in content
    record = json.loads((home.outbox_dir / "alerts.jsonl").read_text().splitlines()[-1])
    assert record["delivery"]["webhook"] == "sent"


def test_unreachable_webhook_is_recorded_not_raised(home):
    outcome = send_alert(Alert("t", "d"), home.outbox_dir, AlertSettings(webhook_url="http://127.0.0.1:9/x"))
    assert outcome["webhook"].startswith("failed")
    assert (home.outbox_dir / "alerts.jsonl").exists()


@dg.asset
def _flaky():
    raise RuntimeError("source system down")


@dg.asset(check_specs=[dg.AssetCheckSpec("totals_reconcile", asset="_checked")])
def _checked():
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(
        check_name="totals_reconcile", passed=False, severity=dg.AssetCheckSeverity.ERROR
    )


def test_sensors_alert_on_a_failed_run_and_on_failed_error_checks(home, webhook, monkeypatch):
    url, received = webhook
    monkeypatch.setenv("SALESPULSE_ALERT_WEBHOOK_URL", url)
    get_settings.cache_clear()
    settings = get_settings()
    alert_on_failed_error_checks = build_alert_on_failed_error_checks(settings)
    alert_on_run_failure = build_alert_on_run_failure(settings)
    instance = dg.DagsterInstance.ephemeral()

    ok = dg.materialize([_checked], instance=instance)
    assert failed_error_checks(instance, ok.run_id) == [
        {"asset": "_checked", "check": "totals_reconcile", "description": ""}
    ]
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_failed_error_checks",
        dagster_instance=instance,
        dagster_run=ok.dagster_run,
        dagster_event=ok.get_run_success_event(),
    )
    alert_on_failed_error_checks(context)
    assert received[-1]["title"] == "1 ERROR check(s) failed in __ephemeral_asset_job__"

    failed = dg.materialize([_flaky], instance=instance, raise_on_error=False)
    failure_event = next(e for e in failed.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_instance=instance,
        dagster_run=failed.dagster_run,
        dagster_event=failure_event,
    ).for_run_failure()
    alert_on_run_failure(context)
    assert received[-1]["title"] == "run failed: __ephemeral_asset_job__"
    assert received[-1]["items"] == [{"step": "_flaky"}]


def test_a_run_is_as_of_its_tag_else_the_end_of_its_partition(defs, monkeypatch):
    from pipelines.defs.as_of import period_end_as_of, run_as_of

    monkeypatch.delenv("SALESPULSE_AS_OF", raising=False)
    settings = load_settings()
    daily_partitions, weekly_partitions, monthly_partitions = (
        defs.resolve_job_def(f"{kind}_briefs").partitions_def for kind in ("daily", "weekly", "monthly")
    )
    assert period_end_as_of(daily_partitions, "2026-10-10") == date(2026, 10, 10)
    assert period_end_as_of(weekly_partitions, "2026-11-16") == date(2026, 11, 23)
    assert period_end_as_of(monthly_partitions, "2026-12-01") == date(2027, 1, 1)
    tagged = _evaluate(defs, "daily_after_deadline", datetime(2026, 10, 9, 17, 30)).run_requests[0]
    assert tagged.tags["salespulse/as_of"] == "2026-10-09"

    class _Run:
        tags = {"dagster/partition": "2026-03-09"}  # noqa: RUF012

    class _Context:
        run = _Run()
        job_def = defs.resolve_job_def("weekly_run")

    assert run_as_of(_Context(), settings) == date(2026, 3, 16)
    _Run.tags = {"dagster/partition": "2026-03-09", "salespulse/as_of": "2026-03-20"}
    assert run_as_of(_Context(), settings) == date(2026, 3, 20)


def test_schedules_and_partitions_follow_the_configured_countrys_calendar(monkeypatch):
    """SALESPULSE_CALENDAR_COUNTRY reached the calendar asset (and the marts) but not the
    schedules, the landing sensor or the daily partitions, which kept China's working days."""
    monkeypatch.setenv("SALESPULSE_CALENDAR_COUNTRY", "US")
    monkeypatch.setenv("SALESPULSE_TIMEZONE", "Asia/Shanghai")
    us = build_definitions(load_settings())
    # Thanksgiving (Thursday 26 Nov 2026): a holiday in the US, a working day in China.
    assert (
        "not a working day"
        in _evaluate(us, "daily_after_deadline", datetime(2026, 11, 26, 17, 30)).skip_message
    )
    # Golden Week Monday (5 Oct 2026): a working day in the US.
    assert [
        r.partition_key
        for r in _evaluate(us, "daily_after_deadline", datetime(2026, 10, 5, 17, 30)).run_requests
    ] == ["2026-10-05"]
    # The first working day of October is the 1st in the US (the 8th in China).
    assert _evaluate(us, "monthly_first_workday", datetime(2026, 10, 1, 9)).run_requests
    days = set(us.resolve_job_def("daily_briefs").partitions_def.get_partition_keys())
    assert "2026-11-26" not in days and "2026-10-05" in days and "2026-02-28" not in days  # 调休 Saturday
