"""Sending mail, for the briefs (salespulse.briefs.deliver) and the alerts (salespulse.alerts):
the SMTP settings, sending with retries, and the JSONL ledgers in outbox/ that record what went out.

Settings (environment): SALESPULSE_SMTP_HOST, _PORT (587 with STARTTLS, else 25), _USER,
_PASSWORD, _FROM, _STARTTLS (true/false), _SSL (implicit TLS, port 465), _RETRIES (3),
_BACKOFF_SECONDS (2, doubled each retry), _TIMEOUT_SECONDS (30). Without SALESPULSE_SMTP_HOST
nothing is sent: briefs stay in the outbox, alerts go to the webhook and outbox/alerts.jsonl only.
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "salespulse@localhost"
    starttls: bool = False
    use_ssl: bool = False
    retries: int = 3
    backoff_seconds: float = 2.0
    timeout_seconds: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpConfig | None:
        """The SMTP settings, or None when SALESPULSE_SMTP_HOST is not set (outbox only). Read
        once, by `config.load_settings` (`Settings.smtp`): code takes them from the settings."""
        env = os.environ if environ is None else environ

        def get(name: str, default: str = "") -> str:
            return (env.get(f"SALESPULSE_SMTP_{name}") or default).strip()

        host = get("HOST")
        if not host:
            return None
        starttls = get("STARTTLS", "false").lower() in _TRUE
        use_ssl = get("SSL", "false").lower() in _TRUE
        default_port = "465" if use_ssl else "587" if starttls else "25"
        return cls(
            host=host,
            port=int(get("PORT", default_port)),
            user=get("USER") or None,
            password=get("PASSWORD") or None,
            sender=get("FROM", "salespulse@localhost"),
            starttls=starttls,
            use_ssl=use_ssl,
            retries=int(get("RETRIES", "3")),
            backoff_seconds=float(get("BACKOFF_SECONDS", "2")),
            timeout_seconds=float(get("TIMEOUT_SECONDS", "30")),
        )


def _send_once(config: SmtpConfig, msg: EmailMessage, recipient: str) -> None:
    if config.use_ssl:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            config.host, config.port, timeout=config.timeout_seconds, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)
    with client:
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
        if config.user:
            client.login(config.user, config.password or "")
        client.send_message(msg, from_addr=config.sender, to_addrs=[recipient])


def send_with_retries(
    config: SmtpConfig, msg: EmailMessage, recipient: str, sleep: Callable[[float], None] = time.sleep
) -> tuple[int, str | None]:
    """(attempts, last error or None). Refused recipients are permanent and not retried."""
    attempts = 0
    error: str | None = None
    for attempt in range(1, max(config.retries, 0) + 2):
        attempts = attempt
        try:
            _send_once(config, msg, recipient)
            return attempts, None
        except smtplib.SMTPRecipientsRefused as exc:
            return attempts, f"recipient refused: {exc.recipients}"
        except (smtplib.SMTPException, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempt <= config.retries:
                sleep(config.backoff_seconds * 2 ** (attempt - 1))
    return attempts, error


# Ledgers: one JSON object per line, appended (outbox/delivery-log.jsonl, alerts-ledger.jsonl,
# alerts.jsonl). A line that is not a JSON object (a write cut short) is skipped when read.


def read_ledger(path: Path) -> Iterator[dict]:
    """The records of a JSONL ledger, oldest first; nothing when it does not exist yet."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


def append_ledger(path: Path, records: Iterable[dict]) -> None:
    """Append records to a JSONL ledger, one line each (its folder is made if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
