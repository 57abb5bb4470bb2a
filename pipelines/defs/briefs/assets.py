"""Briefs (group `briefs`): one asset per brief kind, built from the kind's declaration in
salespulse.briefs.kinds, partitioned by period in the business timezone. The work is in
salespulse.briefs; this layer only picks the period, the settings and the delivery mode.

Daily partitions are working days only: every day the China calendar (with 调休 make-up days,
and SALESPULSE_CALENDAR_FILE) says is not a working day is an exclusion of the daily partition
set, so the UI counts no holiday or weekend as "missing" and a make-up Saturday has its digest.
"""

import warnings
from datetime import date, datetime

import dagster as dg

from pipelines.defs.as_of import run_as_of
from pipelines.defs.jobs import BRIEFS_GROUP, brief_key
from pipelines.defs.resources import SettingsParam, WarehouseResource
from pipelines.defs.warehouse.assets import dbt_warehouse
from salespulse.briefs.kinds import KINDS, BriefKind
from salespulse.briefs.publish import PeriodResult, markdown_preview, publish_period
from salespulse.briefs.render import BriefSettings
from salespulse.calendar import WorkCalendar
from salespulse.config import Settings
from salespulse.marts import MartsSource

# Non-working days are listed up to the end of the year after next (later years: Monday–Friday).
_EXCLUSION_YEARS = 2


def non_working_days(start: date, end: date, calendar: WorkCalendar) -> list[datetime]:
    """Every day in [start, end] that is not a working day, as midnight datetimes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # years without holiday data fall back to Monday-Friday
        days = calendar.days(start, end)
    return [datetime(d.year, d.month, d.day) for d, is_workday, _ in days if not is_workday]


def brief_partitions(grain: str, settings: Settings) -> dg.PartitionsDefinition:
    """A brief kind's periods from SALESPULSE_BRIEFS_START, in the business timezone; daily ones
    are the working days of the calendar."""
    tz = settings.timezone
    start = settings.briefs_start.isoformat()
    if grain == "day":
        first = settings.briefs_start
        last = date(date.today().year + _EXCLUSION_YEARS, 12, 31)
        calendar = settings.work_calendar()
        # end_offset=1: today's digest can run at the daily deadline, before the day is over.
        return dg.DailyPartitionsDefinition(
            start_date=start, timezone=tz, end_offset=1, exclusions=non_working_days(first, last, calendar)
        )
    if grain == "week":
        return dg.WeeklyPartitionsDefinition(start_date=start, day_offset=1, timezone=tz)
    return dg.MonthlyPartitionsDefinition(start_date=start, timezone=tz)


def _mart_deps(*models: str) -> list[dg.AssetKey]:
    """The dbt assets a brief reads, as dagster-dbt names them (schema/model); models not built
    yet (e.g. the data-quality marts) are left out rather than shown as phantom assets."""
    known = set(dbt_warehouse.keys)
    keys = []
    for model in models:
        for schema in ("marts", "quality"):
            key = dg.AssetKey([schema, model])
            if key in known:
                keys.append(key)
                break
    return keys


class BriefConfig(dg.Config):
    """Run config for re-rendering or backfilling a period."""

    only: list[str] = []  # noqa: RUF012 (pydantic copies defaults) team ids / regions / "company"; empty = every brief of the period
    send_email: str = "auto"  # auto: not during backfills, once per recipient | always: again | never
    locale: str = ""  # the default locale (zh-CN or en); empty = SALESPULSE_LOCALE


def _should_send(context: dg.AssetExecutionContext, config: BriefConfig) -> bool:
    if config.send_email == "always":
        return True
    if config.send_email == "never":
        return False
    return not context.run.tags.get("dagster/backfill")


def marts_source(settings: Settings, warehouse: WarehouseResource) -> MartsSource:
    """Where the briefs read the marts: the pipeline's warehouse, unless SALESPULSE_MARTS_ENGINE
    names a warehouse built with `salespulse dbt --target postgres|spark`."""
    if settings.marts_engine == "duckdb":
        return MartsSource.duckdb(warehouse.path)
    return MartsSource.from_settings(settings)


def _materialize(
    context: dg.AssetExecutionContext,
    config: BriefConfig,
    warehouse: WarehouseResource,
    settings: Settings,
    kind: BriefKind,
):
    settings.ensure_dirs()
    start = date.fromisoformat(context.partition_key)
    smtp = settings.smtp
    send = _should_send(context, config)
    marts = marts_source(settings, warehouse)
    if marts.engine != "duckdb":
        # The pipeline's own dbt step builds DuckDB: these marts are the ones `salespulse dbt
        # --target` built, as fresh as its last build.
        context.log.info(f"reading the marts from {marts.describe()} (SALESPULSE_MARTS_ENGINE)")
    result: PeriodResult = publish_period(
        kind=kind.name,
        start=start,
        marts=marts,
        briefs_dir=settings.briefs_dir,
        outbox_dir=settings.outbox_dir,
        locale=config.locale or settings.locale,
        as_of=run_as_of(context, settings),
        smtp=smtp,
        send=send,
        resend=config.send_email == "always",
        only=set(config.only) or None,
        settings=BriefSettings.from_settings(settings),
        generated_at=datetime.now(settings.tz),
        workers=settings.brief_workers,
    )
    deliveries = [d for item in result.published for d in item.deliveries]
    failed = [d for d in deliveries if d.status == "failed"]
    for d in failed:
        context.log.error(
            f"e-mail to {d.recipient} failed after {d.attempts} attempts: {d.error}; kept at {d.eml_path}"
        )
    if result.skipped_reason:
        context.log.info(result.skipped_reason)
    timings = [item.timings for item in result.published]

    def mean(step: str) -> float:
        values = [t[step] for t in timings if step in t]
        return round(sum(values) / len(values), 3) if values else 0.0

    folder = settings.briefs_dir / kind.name / result.period.label
    metadata = {
        "period": result.period.label,
        "marts": marts.describe(),
        "path": dg.MetadataValue.path(str(folder)),
        "files": dg.MetadataValue.json(
            {
                item.brief_id: {
                    f"{code}.{ext}": str(path)
                    for code, paths in item.locale_paths.items()
                    for ext, path in paths.items()
                }
                for item in result.published
            }
        ),
        "briefs": len(result.published),
        "provisional_briefs": sum(item.brief.provisional for item in result.published),
        "skipped": result.skipped_reason or "",
        "emails_sent": sum(d.status == "sent" for d in deliveries),
        "emails_failed": len(failed),
        "emails_outbox_only": sum(d.status in ("outbox_only", "unaddressed") for d in deliveries),
        "smtp": "configured" if smtp else "not configured (outbox only)",
        "email_sending": "on" if send else "off",
        "mean_seconds_html": mean("html"),
        "mean_seconds_pdf": mean("pdf"),
        "mean_seconds_xlsx": mean("xlsx"),
        "locales": dg.MetadataValue.json(
            sorted({code for item in result.published for code in item.locale_paths})
        ),
        "preview": dg.MetadataValue.md(markdown_preview(result, kind.chart_scope)),
    }
    yield dg.MaterializeResult(metadata=metadata)
    yield dg.AssetCheckResult(
        check_name="delivered",
        passed=not failed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "failed": dg.MetadataValue.json(
                [{"to": d.recipient, "error": d.error, "eml": d.eml_path} for d in failed]
            ),
            "outbox": dg.MetadataValue.path(str(settings.outbox_dir)),
        },
    )


def _check(key: dg.AssetKey) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "delivered",
            asset=key,
            description="Every e-mail of the brief went through SMTP (failures stay in outbox/failed/).",
        )
    ]


def build_brief_asset(kind: BriefKind, settings: Settings) -> dg.AssetsDefinition:
    key = brief_key(kind)

    @dg.asset(
        key=key,
        group_name=BRIEFS_GROUP,
        partitions_def=brief_partitions(kind.grain, settings),
        deps=_mart_deps(*kind.marts),
        check_specs=_check(key),
        pool="warehouse",
        description=kind.description,
    )
    def _brief(
        context: dg.AssetExecutionContext,
        config: BriefConfig,
        warehouse: WarehouseResource,
        settings: SettingsParam,
    ):
        yield from _materialize(context, config, warehouse, settings, kind)

    return _brief


def build_brief_assets(settings: Settings) -> dict[str, dg.AssetsDefinition]:
    """One asset per brief kind, by kind name (daily, weekly, monthly)."""
    return {name: build_brief_asset(kind, settings) for name, kind in KINDS.items()}
