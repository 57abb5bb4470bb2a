"""Build, write and deliver every brief of one period: what the Dagster assets call.

Files land at <briefs_dir>/<daily|weekly|monthly>/<period>/<team_id|region|company>.<html|pdf|xlsx>;
e-mails go through `deliver` (outbox always, SMTP when configured).
"""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from salespulse.briefs import data as D
from salespulse.briefs.deliver import Delivery, Recipient, SmtpConfig, deliver_brief
from salespulse.briefs.i18n import Locale
from salespulse.briefs.render import Brief, render_daily, render_monthly, render_weekly

EXTENSIONS = ("html", "pdf", "xlsx")


@dataclass
class Published:
    brief: Brief
    paths: dict[str, Path]
    recipients: list[Recipient]
    deliveries: list[Delivery] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def brief_id(self) -> str:
        return f"{self.brief.kind}/{self.brief.period.label}/{self.brief.scope.file_stem}"


@dataclass
class PeriodResult:
    kind: str
    period: D.Period
    published: list[Published]
    skipped_reason: str | None = None


def write_brief(brief: Brief, briefs_dir: Path) -> tuple[dict[str, Path], dict[str, float]]:
    folder = briefs_dir / brief.kind / brief.period.label
    folder.mkdir(parents=True, exist_ok=True)
    paths = {ext: folder / f"{brief.scope.file_stem}.{ext}" for ext in EXTENSIONS}
    timings = dict(brief.timings)
    paths["html"].write_text(brief.html, encoding="utf-8")
    started = time.perf_counter()
    paths["pdf"].write_bytes(brief.pdf())
    timings["pdf"] = time.perf_counter() - started
    started = time.perf_counter()
    paths["xlsx"].write_bytes(brief.xlsx())
    timings["xlsx"] = time.perf_counter() - started
    return paths, timings


def _text_body(brief: Brief) -> str:
    t = brief.locale
    lines = [f"{brief.title} · {brief.subtitle}", ""]
    lines += [f"{label}: {value}" for label, value in brief.key_figures]
    if brief.provisional:
        lines += ["", t("provisional_note")]
    lines += ["", t("email_intro")]
    return "\n".join(lines)


def _period_for(kind: str, start: date) -> D.Period:
    return {"daily": D.Period.day, "weekly": D.Period.week, "monthly": D.Period.month}[kind](start)


def publish_period(
    *,
    kind: str,
    start: date,
    warehouse_path: Path,
    briefs_dir: Path,
    outbox_dir: Path,
    locale: str,
    as_of: date,
    smtp: SmtpConfig | None,
    send: bool = True,
    resend: bool = False,
    only: set[str] | None = None,
    coaching_completion: float = 0.8,
    generated_at: datetime | None = None,
) -> PeriodResult:
    """Render every brief of the period (teams; for a month also regions and the company)."""
    period = _period_for(kind, start)
    t = Locale(locale)
    generated_at = generated_at or datetime.now().astimezone()
    loaded: list[tuple[object, list[dict], float]] = []
    with D.open_warehouse(warehouse_path) as con:
        if kind == "daily":
            calendar = D.is_workday(con, period.start)
            if calendar is not None and not calendar[0]:
                return PeriodResult(kind, period, [], f"{period.label} is not a working day ({calendar[1]})")
        scopes = D.team_scopes(con, period)
        if kind == "monthly":
            scopes += [*D.region_scopes(con, period), D.company_scope()]
        for scope in scopes:
            if only and scope.entity_id not in only and scope.file_stem not in only:
                continue
            started = time.perf_counter()
            if kind == "daily":
                brief_data = D.load_daily(con, scope, period.start)
            elif kind == "weekly":
                brief_data = D.load_weekly(con, scope, period.start)
            else:
                brief_data = D.load_monthly(con, scope, period.start)
            loaded.append((brief_data, D.recipients(con, scope, as_of), time.perf_counter() - started))
    # The warehouse is closed before the slow part (charts, PDF, SMTP).
    published = []
    for brief_data, people, load_seconds in loaded:
        started = time.perf_counter()
        if kind == "daily":
            brief = render_daily(brief_data, t, generated_at)
        elif kind == "weekly":
            brief = render_weekly(brief_data, t, generated_at)
        else:
            brief = render_monthly(brief_data, t, generated_at, coaching_completion)
        brief.timings = {"query": load_seconds, "html": time.perf_counter() - started}
        paths, timings = write_brief(brief, briefs_dir)
        recipients = [Recipient(p["email"], p["rep_name"]) for p in people]
        item = Published(brief, paths, recipients, timings=timings)
        subject = t(
            "subject",
            title=brief.title,
            scope=brief.subtitle.split(" · ")[0],
            period=brief.subtitle.split(" · ")[-1],
        )
        if brief.provisional:
            subject += f" [{t('provisional')}]"
        item.deliveries = deliver_brief(
            outbox=outbox_dir,
            brief_id=item.brief_id,
            subject=subject,
            html=brief.html,
            text=_text_body(brief),
            attachments=[paths["pdf"], paths["xlsx"]],
            recipients=recipients,
            smtp=smtp,
            send=send,
            resend=resend,
        )
        published.append(item)
    return PeriodResult(kind, period, published)


def thumbnail_uri(png: bytes, width: int = 520) -> str:
    """A small copy of a chart for Dagster metadata."""
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)))
    buffer = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(buffer, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def markdown_preview(result: PeriodResult, chart_scope: str | None = None) -> str:
    """Key figures of every brief of the period and the main chart of one of them."""
    if result.skipped_reason:
        return f"_{result.skipped_reason}: no brief._"
    if not result.published:
        return "_No brief: no team had members in this period._"
    first = result.published[0].brief
    header = ["brief", *(label for label, _ in first.key_figures), "sent", "path"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for item in result.published:
        b = item.brief
        values = [value for _, value in b.key_figures]
        sent = sum(d.status == "sent" for d in item.deliveries)
        name = b.subtitle.split(" · ")[0] + (" †" if b.provisional else "")
        cells = [name, *values, f"{sent}/{len(item.recipients)}", f"`{item.paths['pdf'].name}`"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    if any(item.brief.provisional for item in result.published):
        lines.append("\n† provisional (open period, late/missing reports or failed checks)")
    charted = next(
        (
            i
            for i in result.published
            if i.brief.main_chart and (chart_scope is None or i.brief.scope.kind == chart_scope)
        ),
        None,
    ) or next((i for i in result.published if i.brief.main_chart), None)
    if charted is not None:
        lines.append(
            f"\n**{charted.brief.subtitle}**\n\n![main chart]({thumbnail_uri(charted.brief.main_chart)})"
        )
    return "\n".join(lines)
