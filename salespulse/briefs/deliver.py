"""Delivery: every e-mail is written to the outbox as an .eml first, then sent by SMTP when
SALESPULSE_SMTP_HOST is set. A send that keeps failing is retried with backoff, logged, and its
.eml copied to outbox/failed/ (`resend_failed` tries those again): a brief is never lost.

Settings (environment): SALESPULSE_SMTP_HOST, _PORT (587 with STARTTLS, else 25), _USER,
_PASSWORD, _FROM, _STARTTLS (true/false), _SSL (implicit TLS, port 465), _RETRIES (3),
_BACKOFF_SECONDS (2, doubled each retry), _TIMEOUT_SECONDS (30).
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import os
import re
import shutil
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, make_msgid
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
LOG_NAME = "delivery-log.jsonl"


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
        """The SMTP settings, or None when SALESPULSE_SMTP_HOST is not set (outbox only)."""
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


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str | None = None
    locale: str | None = None  # the language the person reads briefs in (roster `locale`)


@dataclass
class Delivery:
    brief: str  # kind/period/stem
    recipient: str
    eml_path: str
    status: str  # sent | failed | already_sent | outbox_only | unaddressed
    attempts: int = 0
    error: str | None = None
    at: str = ""


def _inline_images(html: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Swap data-URI images for cid: references (mail clients block data URIs)."""
    images: list[tuple[str, bytes]] = []
    seen: dict[str, str] = {}

    def swap(match: re.Match) -> str:
        payload = match.group(1)
        digest = hashlib.sha1(payload.encode("ascii")).hexdigest()[:16]
        if digest not in seen:
            cid = make_msgid(idstring=digest, domain="salespulse.local")[1:-1]
            seen[digest] = cid
            images.append((cid, base64.b64decode(payload)))
        return f'src="cid:{seen[digest]}"'

    return _DATA_URI.sub(swap, html), images


def build_message(
    *,
    subject: str,
    sender: str,
    recipient: Recipient | None,
    html: str,
    text: str,
    attachments: Sequence[Path],
) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = subject
    msg["From"] = sender
    if recipient is not None:
        msg["To"] = formataddr((recipient.name or "", recipient.email))
    msg["Date"] = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")
    msg["Message-ID"] = make_msgid(domain="salespulse.local")
    msg.set_content(text)
    body, images = _inline_images(html)
    msg.add_alternative(body, subtype="html")
    html_part = msg.get_payload()[-1]
    for cid, data in images:
        html_part.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
    for path in attachments:
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


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


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.@+-]+", "_", text)


def _log(outbox: Path, delivery: Delivery) -> None:
    with (outbox / LOG_NAME).open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(delivery), ensure_ascii=False) + "\n")


def already_sent(outbox: Path, brief_id: str) -> set[str]:
    """Recipients the delivery log says already received this brief."""
    log = outbox / LOG_NAME
    if not log.exists():
        return set()
    sent = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("brief") == brief_id and record.get("status") == "sent":
            sent.add(record.get("recipient"))
    return sent


def deliver_brief(
    *,
    outbox: Path,
    brief_id: str,
    subject: str,
    html: str,
    text: str,
    attachments: Sequence[Path],
    recipients: Sequence[Recipient],
    smtp: SmtpConfig | None,
    send: bool = True,
    resend: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Delivery]:
    """One e-mail per recipient: written to outbox/<brief_id>/<recipient>.eml, then sent —
    once: re-rendering a period does not mail it again to whoever already has it, unless
    `resend`."""
    folder = outbox / brief_id
    delivered = set() if resend else already_sent(outbox, brief_id)
    folder.mkdir(parents=True, exist_ok=True)
    sender = smtp.sender if smtp else "salespulse@localhost"
    deliveries = []
    targets: list[Recipient | None] = list(recipients) or [None]
    for recipient in targets:
        msg = build_message(
            subject=subject, sender=sender, recipient=recipient, html=html, text=text, attachments=attachments
        )
        eml = folder / f"{_safe_name(recipient.email) if recipient else '_unaddressed'}.eml"
        eml.write_bytes(msg.as_bytes())
        now = datetime.now(UTC).isoformat(timespec="seconds")
        if recipient is None:
            delivery = Delivery(brief_id, "", str(eml), "unaddressed", at=now)
        elif smtp is None or not send:
            delivery = Delivery(brief_id, recipient.email, str(eml), "outbox_only", at=now)
        elif recipient.email in delivered:
            delivery = Delivery(brief_id, recipient.email, str(eml), "already_sent", at=now)
        else:
            attempts, error = send_with_retries(smtp, msg, recipient.email, sleep)
            status = "sent" if error is None else "failed"
            delivery = Delivery(brief_id, recipient.email, str(eml), status, attempts, error, now)
            if error is not None:
                failed = outbox / "failed" / brief_id / eml.name
                failed.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(eml, failed)
        _log(outbox, delivery)
        deliveries.append(delivery)
    return deliveries


def resend_failed(
    outbox: Path, smtp: SmtpConfig, sleep: Callable[[float], None] = time.sleep
) -> list[Delivery]:
    """Send every .eml under outbox/failed/ again; the ones that go through leave failed/."""
    results = []
    failed_root = outbox / "failed"
    for eml in sorted(failed_root.rglob("*.eml")):
        msg = BytesParser(policy=policy.SMTP).parsebytes(eml.read_bytes())
        recipient = msg["To"].addresses[0].addr_spec if msg["To"] else None
        brief_id = eml.parent.relative_to(failed_root).as_posix()
        if not recipient:
            continue
        attempts, error = send_with_retries(smtp, msg, recipient, sleep)
        delivery = Delivery(
            brief_id,
            recipient,
            str(eml),
            "sent" if error is None else "failed",
            attempts,
            error,
            datetime.now(UTC).isoformat(timespec="seconds"),
        )
        if error is None:
            eml.unlink()
        _log(outbox, delivery)
        results.append(delivery)
    return results
