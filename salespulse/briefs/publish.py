"""Build, write and deliver every brief of one period: what the Dagster assets call.

Files land at <briefs_dir>/<daily|weekly|monthly>/<period>/<entity>_<period>_<kind>.<locale>.<ext>
(e.g. 华东_2026-11_月度复盘.zh-CN.pdf): two periods or two languages never overwrite each other,
and an attachment saved anywhere still says what it is. A brief is rendered in the default
locale (SALESPULSE_LOCALE) and in every other locale one of its readers has in the roster; each
reader gets the mail in their own. E-mails go through `deliver` (outbox always, SMTP when
configured).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import multiprocessing
import os
import pickle
import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from salespulse.briefs import data as D
from salespulse.briefs.deliver import Delivery, Recipient, deliver_brief
from salespulse.briefs.i18n import Locale
from salespulse.briefs.kinds import KINDS, BriefKind
from salespulse.briefs.render import REPORTS_DIR, Brief, BriefSettings, render
from salespulse.mail import SmtpConfig
from salespulse.marts import MartsSource

EXTENSIONS = ("html", "pdf", "xlsx")
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass
class Published:
    """One delivered brief. `brief` and `translations` are summaries (scope, period, key figures,
    attention, main chart): their full content (html, sections) is in the files at `paths` and
    `locale_paths`, not kept in memory once the brief is delivered - the 206 packs of a large
    organisation held 1.1 GB in the run's process."""

    brief: Brief  # in the default locale
    paths: dict[str, Path]
    recipients: list[Recipient]
    deliveries: list[Delivery] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    translations: dict[str, Brief] = field(default_factory=dict)  # other locales rendered
    locale_paths: dict[str, dict[str, Path]] = field(default_factory=dict)

    @property
    def brief_id(self) -> str:
        return f"{self.brief.kind}/{self.brief.period.label}/{self.brief.scope.file_stem}"


@dataclass
class PeriodResult:
    kind: str
    period: D.Period
    published: list[Published]
    skipped_reason: str | None = None


def _safe(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "-", text).strip("-")


def file_name(brief: Brief, ext: str) -> str:
    """<entity>_<period>_<kind>.<locale>.<ext>: the entity as the reader names it (team name,
    region, 全公司 / Company), the period label, the kind in the reader's language."""
    t = brief.locale
    entity = brief.scope.name if brief.scope.kind != "company" else t("company_name")
    return f"{_safe(entity)}_{brief.period.label}_{t('file_' + brief.kind)}.{t.code}.{ext}"


def write_brief(brief: Brief, briefs_dir: Path) -> tuple[dict[str, Path], dict[str, float]]:
    folder = briefs_dir / brief.kind / brief.period.label
    folder.mkdir(parents=True, exist_ok=True)
    paths = {ext: folder / file_name(brief, ext) for ext in EXTENSIONS}
    timings = dict(brief.timings)
    paths["html"].write_text(brief.html, encoding="utf-8")
    started = time.perf_counter()
    paths["pdf"].write_bytes(brief.pdf())
    timings["pdf"] = time.perf_counter() - started
    started = time.perf_counter()
    paths["xlsx"].write_bytes(brief.xlsx())
    timings["xlsx"] = time.perf_counter() - started
    return paths, timings


@dataclass
class _RenderJob:
    kind: str
    scope_stem: str
    period_label: str
    data: bytes  # the kind's loaded brief data, pickled: compact while the job waits its turn
    codes: tuple[str, ...]  # the default locale first
    generated_at: datetime
    settings: BriefSettings | None
    briefs_dir: Path
    load_seconds: float
    code_version: str


def _code_version() -> str:
    """What the rendered output depends on besides the data: the brief code and templates."""
    digest = hashlib.sha256()
    for folder, pattern in ((PACKAGE_DIR, "*.py"), (REPORTS_DIR, "**/*")):
        for path in sorted(folder.glob(pattern)):
            if path.is_file():
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def _fingerprint(job: _RenderJob) -> str:
    """The brief's inputs: its data, locales and settings, and the code that renders them. The
    generation time is left out, so an unchanged period is not rendered again."""
    payload = pickle.dumps((job.kind, job.codes, job.settings), protocol=5)
    return hashlib.sha256(job.code_version.encode() + payload + job.data).hexdigest()


def _render_job(job: _RenderJob) -> tuple[dict[str, Brief], dict[str, dict[str, Path]], dict]:
    fingerprint = _fingerprint(job)
    cache = job.briefs_dir / ".render-cache" / job.kind / job.period_label / f"{job.scope_stem}.pickle"
    if cache.is_file():
        try:
            cached, briefs, locale_paths, timings = pickle.loads(cache.read_bytes())
            on_disk = all(path.is_file() for paths in locale_paths.values() for path in paths.values())
            if cached == fingerprint and on_disk:
                return briefs, locale_paths, {**timings, "cached": 1.0}
        except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
            pass  # written by other code: render again
    kind = KINDS[job.kind]
    data = pickle.loads(job.data)
    started = time.perf_counter()
    briefs = {code: render(kind, data, Locale(code), job.generated_at, job.settings) for code in job.codes}
    main = briefs[job.codes[0]]
    main.timings = {"query": job.load_seconds, "html": time.perf_counter() - started}
    locale_paths: dict[str, dict[str, Path]] = {}
    timings: dict[str, float] = {}
    for code, brief in briefs.items():
        locale_paths[code], written = write_brief(brief, job.briefs_dir)
        if code == job.codes[0]:
            timings = written
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pickle.dumps((fingerprint, briefs, locale_paths, timings), protocol=5))
    tmp.replace(cache)
    return briefs, locale_paths, timings


def _render_all(jobs: list[_RenderJob], workers: int) -> Iterator:
    """Render in `workers` processes when there is more than one brief, yielding each result in
    the jobs' order as soon as it is there: the caller delivers a brief and lets go of it while
    the others render. At most two jobs per worker are handed to the pool at a time, so the
    pool's queues never hold every brief of a large organisation at once. Workers come from a
    fork server (a clean process with the brief code imported once), not from forking the run's
    own process, whose threads (Dagster's, DuckDB's) make a plain fork unsafe."""
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        yield from map(_render_job, jobs)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["salespulse.briefs.render", "salespulse.briefs.publish"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from _in_order(pool, jobs, window=2 * workers)


def _in_order(pool: ProcessPoolExecutor, jobs: Iterable[_RenderJob], window: int) -> Iterator:
    pending: list[Future] = []
    for job in jobs:
        pending.append(pool.submit(_render_job, job))
        if len(pending) >= window:
            yield pending.pop(0).result()
    for future in pending:
        yield future.result()


def _summary(brief: Brief) -> Brief:
    """What stays in memory of a delivered brief: its content is in its files."""
    return dataclasses.replace(brief, html="", sections=[])


def subject(brief: Brief) -> str:
    t = brief.locale
    text = t("subject", title=brief.title, scope=brief.scope_name, period=brief.period_text)
    return text + (f" [{t('provisional')}]" if brief.provisional else "")


def _period_for(kind: str, start: date) -> D.Period:
    return KINDS[kind].period(start)


def publish_period(
    *,
    kind: str,
    start: date,
    marts: MartsSource,
    briefs_dir: Path,
    outbox_dir: Path,
    locale: str,
    as_of: date,
    smtp: SmtpConfig | None,
    send: bool = True,
    resend: bool = False,
    only: set[str] | None = None,
    settings: BriefSettings | None = None,
    generated_at: datetime | None = None,
    workers: int = 1,
) -> PeriodResult:
    """Render every brief of the period (the kind's scopes), read from `marts` (any engine), in
    every locale its readers need, across `workers` processes; a brief whose inputs did not
    change since its last render is read back from the render cache instead of being rendered
    again."""
    brief_kind: BriefKind = KINDS[kind]
    period = brief_kind.period(start)
    default = Locale(locale)
    generated_at = generated_at or datetime.now().astimezone()
    loaded: list[tuple[D.Scope, bytes, list[dict], float]] = []
    with marts.open() as con:
        if brief_kind.grain == "day":
            calendar = D.is_workday(con, period.start)
            if calendar is not None and not calendar[0]:
                return PeriodResult(kind, period, [], f"{period.label} is not a working day ({calendar[1]})")
        for scope in brief_kind.scopes_of(con, period):
            if only and scope.entity_id not in only and scope.file_stem not in only:
                continue
            started = time.perf_counter()
            brief_data = pickle.dumps(brief_kind.load(con, scope, period.start), protocol=5)
            loaded.append((scope, brief_data, D.recipients(con, scope, as_of), time.perf_counter() - started))
    # The warehouse is closed before the slow part (charts, PDF), which runs in worker processes;
    # mail goes out from here, one brief after the other.
    version = _code_version()
    jobs = [
        _RenderJob(
            kind=kind,
            scope_stem=scope.file_stem,
            period_label=period.label,
            data=brief_data,
            codes=(default.code, *sorted({p["locale"] for p in people if p.get("locale")} - {default.code})),
            generated_at=generated_at,
            settings=settings,
            briefs_dir=briefs_dir,
            load_seconds=load_seconds,
            code_version=version,
        )
        for scope, brief_data, people, load_seconds in loaded
    ]
    recipients_of = [people for _, _, people, _ in loaded]
    del loaded
    published = []
    for people, rendered in zip(recipients_of, _render_all(jobs, workers), strict=True):
        briefs, locale_paths, timings = rendered
        recipients = [Recipient(p["email"], p["rep_name"], p.get("locale") or default.code) for p in people]
        item = Published(
            briefs[default.code],
            locale_paths[default.code],
            recipients,
            timings=timings,
            locale_paths=locale_paths,
        )
        item.translations = {code: b for code, b in briefs.items() if code != default.code}
        for code, brief in briefs.items():
            readers = [r for r in recipients if r.locale == code]
            if not readers and (code != default.code or recipients):
                continue
            item.deliveries += deliver_brief(
                outbox=outbox_dir,
                brief_id=item.brief_id,
                subject=subject(brief),
                html=brief.email_html(),
                text=brief.text(),
                attachments=[locale_paths[code]["pdf"], locale_paths[code]["xlsx"]],
                recipients=readers,
                smtp=smtp,
                send=send,
                resend=resend,
            )
        item.brief = _summary(item.brief)
        item.translations = {code: _summary(b) for code, b in item.translations.items()}
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
