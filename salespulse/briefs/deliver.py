"""Delivery: every e-mail is written to the outbox as an .eml first, then sent by SMTP when
SALESPULSE_SMTP_HOST is set. A send that keeps failing is retried with backoff, logged, and its
.eml copied to outbox/failed/ (`resend_failed` tries those again): a brief is never lost.

The SMTP settings, sending and the ledger format are salespulse.mail's (shared with the alerts);
every delivery is one line of outbox/delivery-log.jsonl.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formataddr, make_msgid
from pathlib import Path

from salespulse.mail import SmtpConfig, append_ledger, read_ledger, send_with_retries

_DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
LOG_NAME = "delivery-log.jsonl"


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


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w.@+-]+", "_", text)


def _log(outbox: Path, delivery: Delivery) -> None:
    append_ledger(outbox / LOG_NAME, [asdict(delivery)])


def already_sent(outbox: Path, brief_id: str) -> set[str]:
    """Recipients the delivery log says already received this brief."""
    return {
        record.get("recipient")
        for record in read_ledger(outbox / LOG_NAME)
        if record.get("brief") == brief_id and record.get("status") == "sent"
    }


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
