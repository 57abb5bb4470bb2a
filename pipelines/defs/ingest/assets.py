"""One asset per input kind (group `ingest`), all materialised by one step that scans landing/.

A single step is deliberate: a loose file's kind is only known once it is read, and files
must load in arrival order so that the latest export of a record wins downstream.
"""

from collections import Counter
from datetime import date

import dagster as dg

from pipelines.defs.resources import SettingsParam, WarehouseResource
from salespulse.config import Settings
from salespulse.contracts import ContractError, default_contracts, load_contracts, shipped_kinds
from salespulse.ingest.faults import EnvironmentProblem, remove_leftovers
from salespulse.ingest.isolate import close_shared_pool
from salespulse.ingest.loader import FileResult, Ingestor, IngestReport
from salespulse.ingest.parquet import sync_raw_parquet
from salespulse.ingest.reprocess import reprocess_with
from salespulse.ingest.schema import business_date_range, create_raw_schema
from salespulse.quality.expectations import Validator

GROUP = "ingest"
REGISTRY_KEY = dg.AssetKey(["raw", "ingested_files"])
# A run the landing sensor starts for files in landing/<kind>/ folders loads only those kinds
# (comma-separated in this tag) and rebuilds only what depends on them; other files wait for
# their own run.
LANDING_KINDS_TAG = "salespulse/landing_kinds"
# A Great Expectations check over 0 rows proves nothing: it is skipped (no result), not passed.
GX_SKIPPED_NO_ROWS = "nothing to check: this run loaded no rows of this kind"
CALENDAR_KEY = dg.AssetKey(["raw", "work_calendar"])


class IngestConfig(dg.Config):
    """Besides the files waiting in landing/, read archived files again under today's contracts
    (`salespulse reprocess`): listed file_ids, every file of a kind, every quarantined file."""

    reprocess_file_ids: list[int] = []  # noqa: RUF012 (pydantic copies defaults)
    reprocess_kind: str | None = None
    reprocess_quarantined: bool = False


def raw_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", kind])


def rejects_key(kind: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", f"{kind}__rejects"])


def input_kinds(settings: Settings) -> list[str]:
    """The input kinds: the contract files shipped in models/ (overrides cannot add kinds)."""
    return shipped_kinds(settings.contracts_dir)


def _specs(kinds: list[str], contracts) -> list[dg.AssetSpec]:
    specs = [
        dg.AssetSpec(
            raw_key(kind),
            group_name=GROUP,
            description=f"raw.{kind}: {contracts[kind].title}. {contracts[kind].description}".strip(),
            kinds={"duckdb"},
            metadata={"contract": f"models/{kind}.yaml", "keys": list(contracts[kind].keys)},
        )
        for kind in kinds
    ]
    # Each kind's rejected rows, written by the same step: a model reading them (the dq marts
    # see rejected reports) is downstream of the kind, in the `ingest` group.
    specs += [
        dg.AssetSpec(
            rejects_key(kind),
            group_name=GROUP,
            deps=[raw_key(kind)],
            description=f"raw.{kind}__rejects: the rows of {kind} files that were rejected, "
            "their original text and the reasons (_reasons).",
            kinds={"duckdb"},
        )
        for kind in kinds
    ]
    specs.append(
        dg.AssetSpec(
            REGISTRY_KEY,
            group_name=GROUP,
            description="raw.ingested_files: every file that ever landed and what became of it.",
            kinds={"duckdb"},
        )
    )
    return specs


def _check_specs(kinds: list[str]) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            "no_quarantined_files",
            asset=REGISTRY_KEY,
            description="Every file landed in this run could be read: a quarantined file (or a refused "
            "entry: a link or pipe instead of a file) means data the marts and briefs do not have "
            "(ERROR: it alerts).",
        ),
        dg.AssetCheckSpec(
            "no_rejected_rows",
            asset=REGISTRY_KEY,
            description="No row of this run's files was rejected (WARN; rejects: raw.<kind>__rejects).",
        ),
    ] + [
        dg.AssetCheckSpec(
            "great_expectations",
            asset=raw_key(kind),
            description=f"Great Expectations suite expectations/{kind}.json on the rows this run loaded",
        )
        for kind in kinds
    ]


def _files_markdown(results: list[FileResult]) -> str:
    lines = ["| file | status | rows | loaded | rejected | note |", "|---|---|---:|---:|---:|---|"]
    for r in results:
        note = (r.error or "; ".join(r.warnings) or "").replace("|", "\\|")[:160]
        lines.append(
            f"| {r.file_name} | {r.status} | {r.rows_in_file if r.rows_in_file is not None else ''} "
            f"| {r.rows_loaded} | {r.rows_rejected} | {note} |"
        )
    return "\n".join(lines)


def _reasons_markdown(reasons: Counter) -> str:
    if not reasons:
        return "No rejected rows."
    lines = ["| reason | rows |", "|---|---:|"]
    for reason, count in reasons.most_common(30):
        cell = reason.replace("|", "\\|")
        lines.append(f"| {cell} | {count} |")
    return "\n".join(lines)


def build_ingest_landing(settings: Settings) -> dg.AssetsDefinition:
    """The ingest step's assets: one per input kind of SETTINGS' contracts, its rejects, the
    file registry, and their checks."""
    kinds = input_kinds(settings)
    # The shipped contracts describe the assets: a broken override of the deployment's fails the
    # ingest step that reads it (and alerts), not the loading of the whole code location.
    shipped = load_contracts(settings.contracts_dir)

    @dg.multi_asset(
        specs=_specs(kinds, shipped),
        check_specs=_check_specs(kinds),
        name="ingest_landing",
        pool="warehouse",
        # Subsettable only so that a check may yield no result (skipped); the assets go together.
        can_subset=True,
        description="Archive, validate and load every file waiting in landing/ (exactly once per content).",
    )
    def ingest_landing(
        context: dg.AssetExecutionContext,
        config: IngestConfig,
        warehouse: WarehouseResource,
        settings: SettingsParam,
    ):
        unselected = context.assets_def.keys - context.selected_asset_keys
        if unselected:
            raise dg.Failure(
                "ingest_landing loads every kind in one step (a loose file's kind is known only once it "
                "is read): select all of its assets, e.g. the whole `ingest` group. Not selected: "
                + ", ".join(sorted(key.to_user_string() for key in unselected))
            )
        settings.ensure_dirs()
        try:
            contracts = default_contracts(settings)
        except ContractError as exc:
            raise dg.Failure(
                description=f"{exc}. Fix or remove the override; nothing was read, the files stay in "
                "landing/ and load at the next run.",
                allow_retries=False,
            ) from exc
        # This step holds the warehouse pool: no other ingest or publish is running now.
        for path in remove_leftovers(
            settings.analytics_path, [settings.archive_dir, settings.quarantine_dir]
        ):
            context.log.info(f"removed {path}, left half-written by a run that died")
        try:
            yield from _ingest(context, config, warehouse, settings, contracts, kinds)
        except EnvironmentProblem as exc:
            raise dg.Failure(
                description=f"{exc}. Nothing was registered for the files not yet loaded: they stay in "
                "landing/ and load at the next run once the cause is fixed.",
                allow_retries=False,
            ) from exc
        finally:
            # The reader processes are done for this run: give their memory to dbt and the briefs.
            close_shared_pool()

    return ingest_landing


def _ingest(
    context, config: IngestConfig, warehouse: WarehouseResource, settings: Settings, contracts, kinds
):
    landed = [kind for kind in context.run.tags.get(LANDING_KINDS_TAG, "").split(",") if kind]
    if landed:
        context.log.info(f"loading the files of {', '.join(landed)} only: this run rebuilds what they feed")
    with warehouse.connect() as con:
        report = IngestReport()
        if config.reprocess_file_ids or config.reprocess_kind or config.reprocess_quarantined:
            report = reprocess_with(
                con,
                settings,
                contracts,
                config.reprocess_file_ids,
                config.reprocess_kind,
                config.reprocess_quarantined,
            )
            context.log.info(f"reprocessed {len(report.files)} archived file(s)")
        ingestor = Ingestor(con, settings, contracts)
        for change in ingestor.schema_changes:
            context.log.warning(f"contract change applied to the raw schema: {change}")
        landing_report = ingestor.run(kinds=landed or None)
        report.files.extend(landing_report.files)
        report.left.extend(landing_report.left)
        for name, why in report.left:
            context.log.warning(f"{name}: left in landing/ for the next run — {why}")
        for result in report.files:
            context.log.info(
                f"{result.file_name}: {result.status} ({result.kind}) "
                f"loaded={result.rows_loaded} rejected={result.rows_rejected}"
                + (f" — {result.error}" if result.error else "")
            )
        validator = Validator() if report.rows_loaded else None
        for kind in kinds:
            results = report.for_kind(kind)
            reasons: Counter = Counter()
            for result in results:
                reasons.update(result.reject_reasons)
            total = con.execute(f"select count(*) from raw.{kind}").fetchone()[0]
            file_ids = [r.file_id for r in results if r.rows_loaded]
            skipped = validator is None or not file_ids
            yield dg.MaterializeResult(
                asset_key=raw_key(kind),
                metadata={
                    "files": len(results),
                    "rows_loaded": sum(r.rows_loaded for r in results),
                    "rows_rejected": sum(r.rows_rejected for r in results),
                    "files_quarantined": sum(r.status == "quarantined" for r in results),
                    "files_duplicate": sum(r.status == "duplicate" for r in results),
                    "dagster/row_count": total,
                    "file_details": dg.MetadataValue.md(_files_markdown(results))
                    if results
                    else "no new files",
                    "rejects_by_reason": dg.MetadataValue.md(_reasons_markdown(reasons)),
                    **({"great_expectations": f"skipped: {GX_SKIPPED_NO_ROWS}"} if skipped else {}),
                },
            )
            rejected = con.execute(f"select count(*) from raw.{kind}__rejects").fetchone()[0]
            yield dg.MaterializeResult(
                asset_key=rejects_key(kind),
                metadata={
                    "rows_rejected": sum(r.rows_rejected for r in results),
                    "dagster/row_count": rejected,
                    "rejects_by_reason": dg.MetadataValue.md(_reasons_markdown(reasons)),
                },
            )
            if skipped:
                context.log.info(f"check great_expectations of raw/{kind} skipped: {GX_SKIPPED_NO_ROWS}")
                continue
            outcome = validator.validate_table(
                kind, con, f"raw.{kind}", "_file_id in ?", [file_ids], everything="* exclude (_extra)"
            )
            yield dg.AssetCheckResult(
                check_name="great_expectations",
                asset_key=raw_key(kind),
                passed=outcome.success,
                severity=dg.AssetCheckSeverity.ERROR
                if outcome.severity == "error"
                else dg.AssetCheckSeverity.WARN,
                metadata={
                    "rows_validated": outcome.rows,
                    "expectations_evaluated": outcome.evaluated,
                    "failed_expectations": dg.MetadataValue.json(outcome.failures),
                },
            )
        quarantined = [r for r in report.files if r.status in ("quarantined", "refused")]
        yield dg.AssetCheckResult(
            check_name="no_quarantined_files",
            asset_key=REGISTRY_KEY,
            passed=not quarantined,
            severity=dg.AssetCheckSeverity.ERROR,
            description=f"{len(quarantined)} file(s) quarantined" if quarantined else "all files readable",
            metadata={
                "files_quarantined": len(quarantined),
                "files": dg.MetadataValue.md(_files_markdown(quarantined)) if quarantined else "none",
            },
        )
        partial = [r for r in report.files if r.rows_rejected]
        yield dg.AssetCheckResult(
            check_name="no_rejected_rows",
            asset_key=REGISTRY_KEY,
            passed=not partial,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "rows_rejected": report.rows_rejected,
                "files": dg.MetadataValue.md(_files_markdown(partial)) if partial else "none",
            },
        )
        statuses = Counter(r.status for r in report.files)
        yield dg.MaterializeResult(
            asset_key=REGISTRY_KEY,
            metadata={
                "files_this_run": len(report.files),
                **{f"files_{status}": count for status, count in sorted(statuses.items())},
                "rows_loaded": report.rows_loaded,
                "rows_rejected": report.rows_rejected,
                "file_details": dg.MetadataValue.md(_files_markdown(report.files))
                if report.files
                else "no new files",
                "files_left_in_landing": len(report.left),
                "left_in_landing": dg.MetadataValue.md(
                    "\n".join(f"- {name}: {why}" for name, why in report.left)
                )
                if report.left
                else "none",
            },
        )


@dg.asset(
    key=CALENDAR_KEY,
    group_name=GROUP,
    pool="warehouse",
    kinds={"duckdb"},
    deps=[REGISTRY_KEY],
    description=(
        "raw.work_calendar: working days of SALESPULSE_CALENDAR_COUNTRY (CN: holidays and 调休 make-up "
        "days from chinese-calendar; others from the holidays package; SALESPULSE_CALENDAR_FILE "
        "overrides) from the first business date in the data (or SALESPULSE_CALENDAR_START) to the end "
        "of the year after the as-of date or the last date in the data. With SALESPULSE_RAW_PARQUET=1 "
        "it then mirrors every raw table to Parquet under $SALESPULSE_HOME/raw_parquet/ for other "
        "warehouses (one file per landed file, by load date)."
    ),
)
def work_calendar(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, settings: SettingsParam
) -> dg.MaterializeResult:
    import warnings

    import pandas as pd

    calendar = settings.work_calendar()
    with warehouse.connect() as con:
        contracts = default_contracts(settings)
        create_raw_schema(con, contracts)
        first, last = business_date_range(con, contracts)
    as_of = settings.as_of
    start = min(d for d in (settings.calendar_start, first, date(as_of.year - 1, 1, 1)) if d is not None)
    end = date(max(as_of.year + 1, last.year if last else as_of.year), 12, 31)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = calendar.days(start, end)
    for warning in caught:
        context.log.warning(str(warning.message))
    frame = pd.DataFrame(rows, columns=["date_day", "is_workday", "day_kind"])
    with warehouse.connect() as con:
        con.execute("create or replace table raw.work_calendar as select * from frame")
        # raw is whole now (the files loaded, the calendar written): mirrored to Parquet if asked.
        mirrored = sync_raw_parquet(con, settings.raw_parquet_dir) if settings.raw_parquet else None
    if mirrored:
        context.log.info(
            f"raw mirrored to {settings.raw_parquet_dir}: {mirrored.written} Parquet file(s) written "
            f"({mirrored.rows} rows), {mirrored.removed} removed, in {mirrored.seconds} s"
        )
    parquet = (
        {
            "raw_parquet_dir": dg.MetadataValue.path(str(settings.raw_parquet_dir)),
            "raw_parquet_files_written": mirrored.written,
            "raw_parquet_files_removed": mirrored.removed,
            "raw_parquet_rows_written": mirrored.rows,
        }
        if mirrored
        else {}
    )
    return dg.MaterializeResult(
        metadata={
            **parquet,
            "country": settings.calendar_country,
            "first_day": str(start),
            "last_day": str(end),
            "first_business_date_in_data": str(first),
            "working_days": int(frame.is_workday.sum()),
            "makeup_workdays": int((frame.day_kind == "makeup_workday").sum()),
            "holidays": int((frame.day_kind == "holiday").sum()),
            "years_without_holiday_data": dg.MetadataValue.json(sorted(calendar._warned_years)),
        }
    )
