"""Briefs (group `briefs`): the daily exception digest, the team weekly brief and the monthly
review pack, partitioned by period in the business timezone. The work is in salespulse.briefs;
this layer only picks the period, the settings and the delivery mode.

Daily partitions cover every calendar day and the asset skips a day the warehouse calendar
(dim_dates, China calendar with 调休) says is not a working day, recording why. A
cron-based partition set cannot know holidays or make-up Saturdays, and a dynamic set fed from
the calendar would have to be kept in step with it; skipping keeps one source of truth.
"""

import os
from datetime import date, datetime
from pathlib import Path

import dagster as dg

from pipelines.defs.as_of import run_as_of
from pipelines.defs.resources import WarehouseResource
from pipelines.defs.warehouse.assets import dbt_warehouse
from salespulse.briefs.deliver import SmtpConfig
from salespulse.briefs.publish import PeriodResult, markdown_preview, publish_period
from salespulse.config import get_settings

GROUP = "briefs"
DEFAULT_START = "2025-01-01"


def briefs_start() -> str:
    """SALESPULSE_BRIEFS_START: the first period with a brief (YYYY-MM-DD)."""
    get_settings()  # loads .env
    return os.environ.get("SALESPULSE_BRIEFS_START", "").strip() or DEFAULT_START


_TZ = get_settings().timezone
# end_offset=1: today's digest can run at the 17:00 deadline, before the day is over.
daily_partitions = dg.DailyPartitionsDefinition(start_date=briefs_start(), timezone=_TZ, end_offset=1)
weekly_partitions = dg.WeeklyPartitionsDefinition(start_date=briefs_start(), day_offset=1, timezone=_TZ)
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=briefs_start(), timezone=_TZ)

DAILY_KEY = dg.AssetKey(["briefs", "daily_exception_digest"])
WEEKLY_KEY = dg.AssetKey(["briefs", "team_weekly_brief"])
MONTHLY_KEY = dg.AssetKey(["briefs", "monthly_review_pack"])

_QUALITY = ("dq_submissions", "dq_anomalies")
_COMMON = ("dim_reps", "dim_teams", "fct_action_items", *_QUALITY)


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
    locale: str = ""  # zh-CN or en; empty = SALESPULSE_LOCALE


def _should_send(context: dg.AssetExecutionContext, config: BriefConfig) -> bool:
    if config.send_email == "always":
        return True
    if config.send_email == "never":
        return False
    return not context.run.tags.get("dagster/backfill")


def _materialize(
    context: dg.AssetExecutionContext,
    config: BriefConfig,
    warehouse: WarehouseResource,
    kind: str,
    chart_scope: str,
):
    settings = get_settings()
    settings.ensure_dirs()
    start = date.fromisoformat(context.partition_key)
    smtp = SmtpConfig.from_env()
    send = _should_send(context, config)
    result: PeriodResult = publish_period(
        kind=kind,
        start=start,
        warehouse_path=Path(warehouse.path),
        briefs_dir=settings.briefs_dir,
        outbox_dir=settings.outbox_dir,
        locale=config.locale or settings.locale,
        as_of=run_as_of(context),
        smtp=smtp,
        send=send,
        resend=config.send_email == "always",
        only=set(config.only) or None,
        coaching_completion=settings.coaching_completion,
        generated_at=datetime.now(settings.tz),
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

    folder = settings.briefs_dir / kind / result.period.label
    metadata = {
        "period": result.period.label,
        "path": dg.MetadataValue.path(str(folder)),
        "files": dg.MetadataValue.json(
            {item.brief_id: {k: str(v) for k, v in item.paths.items()} for item in result.published}
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
        "preview": dg.MetadataValue.md(markdown_preview(result, chart_scope)),
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


@dg.asset(
    key=DAILY_KEY,
    group_name=GROUP,
    partitions_def=daily_partitions,
    deps=_mart_deps("kpi_rep_daily", "kpi_team_weekly", "dim_dates", *_COMMON),
    check_specs=_check(DAILY_KEY),
    pool="warehouse",
    description="每日异常清单 Daily exception digest per team (working days, after the 17:00 deadline): "
    "late/missing reports, zero-activity streaks, anomalies. Non-working days are skipped.",
)
def daily_exception_digest(
    context: dg.AssetExecutionContext, config: BriefConfig, warehouse: WarehouseResource
):
    yield from _materialize(context, config, warehouse, "daily", "team")


@dg.asset(
    key=WEEKLY_KEY,
    group_name=GROUP,
    partitions_def=weekly_partitions,
    deps=_mart_deps("kpi_team_weekly", "kpi_rep_weekly", "fct_weekly_reports", *_COMMON),
    check_specs=_check(WEEKLY_KEY),
    pool="warehouse",
    description="团队周度业绩简报 Team weekly brief per team (Monday after the 12:00 weekly deadline).",
)
def team_weekly_brief(context: dg.AssetExecutionContext, config: BriefConfig, warehouse: WarehouseResource):
    yield from _materialize(context, config, warehouse, "weekly", "team")


@dg.asset(
    key=MONTHLY_KEY,
    group_name=GROUP,
    partitions_def=monthly_partitions,
    deps=_mart_deps(
        "kpi_team_monthly",
        "kpi_rep_monthly",
        "kpi_region_monthly",
        "kpi_company_monthly",
        "kpi_product_monthly",
        "fct_orders",
        "fct_targets",
        "dim_customers",
        *_COMMON,
    ),
    check_specs=_check(MONTHLY_KEY),
    pool="warehouse",
    description="月度业绩复盘 Monthly review pack per team, per region and for the company: the seed's "
    "three tables, charts, top/low performers, action items.",
)
def monthly_review_pack(context: dg.AssetExecutionContext, config: BriefConfig, warehouse: WarehouseResource):
    yield from _materialize(context, config, warehouse, "monthly", "company")


brief_assets = [daily_exception_digest, team_weekly_brief, monthly_review_pack]
