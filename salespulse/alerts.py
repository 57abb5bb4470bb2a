"""Alerts when something breaks: a failed run, a failed ERROR-severity check.

An alert is sent once per finding: outbox/alerts-ledger.jsonl remembers the fingerprint of every
finding alerted, and a finding still failing in later runs is not alerted again.

Delivered by e-mail (salespulse.mail, with the SMTP settings of the briefs, to
SALESPULSE_ALERT_EMAILS) and/or as a JSON POST to SALESPULSE_ALERT_WEBHOOK_URL
(Slack/DingTalk/WeCom-style incoming webhooks, or any HTTP endpoint). Every alert is also
appended to outbox/alerts.jsonl, so none is only a log line.
"""

from __future__ import annotations

import json
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from salespulse.mail import SmtpConfig, append_ledger, read_ledger, send_with_retries


@dataclass
class Alert:
    title: str
    detail: str
    severity: str = "error"  # error | warning
    run_id: str | None = None
    items: list[dict] = field(default_factory=list)

    def text(self) -> str:
        lines = [self.title, "", self.detail]
        for item in self.items:
            lines.append("- " + ", ".join(f"{k}: {v}" for k, v in item.items()))
        if self.run_id:
            lines += ["", f"run: {self.run_id}"]
        return "\n".join(lines)


@dataclass(frozen=True)
class AlertSettings:
    emails: tuple[str, ...] = ()
    webhook_url: str | None = None
    webhook_timeout: float = 10.0
    smtp: SmtpConfig | None = None  # None: alerts are not mailed (the outbox keeps them)

    @classmethod
    def from_settings(cls, settings) -> AlertSettings:
        """SALESPULSE_ALERT_EMAILS, SALESPULSE_ALERT_WEBHOOK_URL and SALESPULSE_SMTP_*, as read
        into `Settings`."""
        return cls(emails=settings.alert_emails, webhook_url=settings.alert_webhook_url, smtp=settings.smtp)


LEDGER_NAME = "alerts-ledger.jsonl"  # fingerprints of the findings alerted
ALERTS_NAME = "alerts.jsonl"  # every alert and what became of it


def alerted_before(outbox: Path) -> set[str]:
    """Fingerprints of every finding an alert already went out for."""
    return {record["fingerprint"] for record in read_ledger(outbox / LEDGER_NAME) if "fingerprint" in record}


def record_alerted(outbox: Path, fingerprints: list[str], run_id: str | None) -> None:
    at = datetime.now(UTC).isoformat()
    append_ledger(
        outbox / LEDGER_NAME,
        [{"fingerprint": fingerprint, "run_id": run_id, "at": at} for fingerprint in fingerprints],
    )


def post_webhook(url: str, alert: Alert, timeout: float = 10.0) -> None:
    payload = {
        "msgtype": "text",  # DingTalk/WeCom robots read `text.content`; others read the fields below
        "text": {"content": alert.text()},
        **asdict(alert),
    }
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status >= 300:
            raise OSError(f"webhook answered HTTP {response.status}")


def send_alert(alert: Alert, outbox: Path, settings: AlertSettings) -> dict:
    """Record the alert in outbox/alerts.jsonl, then deliver it where configured.
    Returns what happened per channel; a delivery failure is recorded, never raised."""
    outcome: dict[str, str] = {}
    if settings.webhook_url:
        try:
            post_webhook(settings.webhook_url, alert, settings.webhook_timeout)
            outcome["webhook"] = "sent"
        except OSError as exc:
            outcome["webhook"] = f"failed: {exc}"
    smtp = settings.smtp
    if settings.emails and smtp is not None:
        for recipient in settings.emails:
            message = EmailMessage()
            message["Subject"] = f"[salespulse] {alert.title}"
            message["From"] = smtp.sender
            message["To"] = recipient
            message.set_content(alert.text())
            _, error = send_with_retries(smtp, message, recipient)
            outcome[f"email:{recipient}"] = "sent" if error is None else f"failed: {error}"
    record = {"at": datetime.now(UTC).isoformat(), **asdict(alert), "delivery": outcome}
    append_ledger(outbox / ALERTS_NAME, [record])
    return outcome
