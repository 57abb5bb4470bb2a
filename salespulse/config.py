"""Settings read from the environment (and a `.env` file in the working directory).

Every path lives under one data directory, ``SALESPULSE_HOME``; every threshold and deadline
is a setting so that no rule hides a constant. See `.env.example` for the full list.

The rule thresholds are declared once, in dbt_project/quality.yml: each one's name, default (and
so its type), the environment variable it is read from, whether a dbt model applies it (then it
is passed as the dbt var of the same name) and what it means. `Thresholds` holds them as
fields, `Settings` inherits those fields, `load_settings` reads them and
`salespulse.dbt_project.dbt_vars` passes them to dbt; `salespulse rules` writes their defaults
into the dbt macros, `.env.example` and the README.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, make_dataclass
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from salespulse.calendar import WorkCalendar
    from salespulse.mail import SmtpConfig

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The files the code reads at run time (the dbt project, the input contracts in models/, the brief
# templates in reports/, the Great Expectations suites, the Dagster instance configs), found from
# here only: the repository root in a checkout or an editable install; salespulse/_resources in an
# installed wheel, where pyproject.toml puts them (with the prepared dbt manifest).
PACKAGED_RESOURCES = Path(__file__).resolve().parent / "_resources"
RESOURCE_ROOT = PACKAGED_RESOURCES if PACKAGED_RESOURCES.is_dir() else PROJECT_ROOT
# SALESPULSE_DAGSTER_STORAGE → the instance config `salespulse init` puts in DAGSTER_HOME.
DAGSTER_STORAGES = ("sqlite", "postgres")
MARTS_ENGINES = ("duckdb", "postgres", "spark")


def _load_dotenv() -> None:
    env_file = Path.cwd() / ".env"
    if env_file.is_file():
        from dotenv import load_dotenv

        load_dotenv(env_file, override=False)


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _parse_time(value: str, name: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ValueError(f"{name} must look like HH:MM, got {value!r}") from exc


def _number(name: str, default: str | float, kind: type = float):
    raw = _env(name, str(default))
    try:
        return kind(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a {kind.__name__}, got {raw!r}") from exc


def _date(name: str) -> date | None:
    """A YYYY-MM-DD setting, None when unset."""
    raw = _env(name, "")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise ValueError(f"{name} must be a date (YYYY-MM-DD), got {raw!r}") from exc


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = _env(name, default).lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


@dataclass(frozen=True)
class Threshold:
    """One declared threshold, as tests and `dbt_vars` read the declaration."""

    name: str
    default: int | float
    env: str
    dbt_var: str | None
    meaning: str

    @property
    def kind(self) -> type:
        return type(self.default)


# The rules' declaration (thresholds and checks); salespulse.quality.rules reads its checks.
QUALITY_DECLARATION = RESOURCE_ROOT / "dbt_project" / "quality.yml"


def _declared_thresholds(path: Path = QUALITY_DECLARATION) -> tuple[Threshold, ...]:
    import yaml

    declared = yaml.safe_load(path.read_text(encoding="utf-8"))["thresholds"]
    thresholds = []
    for entry in declared:
        where = f"{path.name}: threshold {entry.get('name')!r}"
        unknown = set(entry) - {"name", "default", "env", "dbt", "meaning"}
        if unknown or not {"name", "default", "env", "meaning"} <= set(entry):
            raise ValueError(
                f"{where}: needs name, default, env, meaning (and dbt: true), got {sorted(entry)}"
            )
        if type(entry["default"]) not in (int, float):
            raise ValueError(f"{where}: default must be a number (3 or 3.0), got {entry['default']!r}")
        if not entry["env"].startswith("SALESPULSE_"):
            raise ValueError(f"{where}: env must start with SALESPULSE_, got {entry['env']!r}")
        name = entry["name"]
        thresholds.append(
            Threshold(
                name, entry["default"], entry["env"], name if entry.get("dbt") else None, entry["meaning"]
            )
        )
    return tuple(thresholds)


THRESHOLDS: tuple[Threshold, ...] = _declared_thresholds()

# Every threshold a rule applies, as fields with their declared defaults (dbt_project/quality.yml):
# `Settings` inherits them; the briefs read their defaults as `Thresholds.<name>`.
Thresholds = make_dataclass(
    "Thresholds",
    [
        (
            t.name,
            t.kind,
            field(default=t.default, metadata={"env": t.env, "dbt_var": t.dbt_var, "meaning": t.meaning}),
        )
        for t in THRESHOLDS
    ],
    frozen=True,
    kw_only=True,
)
Thresholds.__module__ = __name__


@dataclass(frozen=True)
class Settings(Thresholds):
    home: Path
    warehouse_path: Path
    contracts_dir: Path
    contract_overrides_dir: Path
    calendar_file: Path | None
    timezone: str = "Asia/Shanghai"
    daily_deadline: time = time(17, 0)
    weekly_deadline: time = time(12, 0)
    locale: str = "zh-CN"
    calendar_start: date | None = None
    calendar_country: str = "CN"
    landing_settle_seconds: int = 2
    landing_sensor_interval_seconds: int = 5
    docs_port: int = 8080
    # DuckDB: memory it may use before spilling to temp_dir (per connection), and its threads.
    duckdb_memory_limit: str = "1GB"
    duckdb_threads: int = 2
    brief_workers: int = 2
    # Jobs whose dbt tests read only the rows of files loaded since the last build that tested
    # everything loaded before (issue #13): the others test every row.
    light_test_jobs: tuple[str, ...] = ("daily_run",)
    # Reading untrusted files: a child process per reader, with these limits (ReadLimits).
    max_file_mb: int = 200
    max_columns: int = 500
    max_cell_kb: int = 256
    max_sheet_cells: int = 5_000_000
    read_timeout_seconds: float = 120.0
    read_memory_mb: int = 2048
    read_workers: int = 2
    # Runs: an alert names a run queued or in progress for longer than this.
    run_stuck_minutes: int = 120
    # `salespulse run`: how long to wait for files in landing/ still being written, and the
    # free disk space below which it does not start.
    landing_wait_seconds: int = 120
    min_free_mb: int = 100
    # Where the Dagster instance keeps runs, event logs and schedule/sensor ticks: SQLite files
    # under dagster_home (dagster.yaml) or PostgreSQL (dagster-postgres.yaml, SALESPULSE_DAGSTER_PG_*).
    dagster_storage: str = "sqlite"
    # Ingest ends by mirroring the raw tables to Parquet under raw_parquet_dir, for other
    # warehouses (salespulse.ingest.parquet).
    raw_parquet: bool = False
    # Where briefs read the marts (salespulse.marts): the DuckDB warehouse, Postgres
    # (SALESPULSE_PG_*) or the Spark warehouse folder under spark_home.
    marts_engine: str = "duckdb"
    spark_home: Path | None = None
    # The engine `salespulse dbt` builds (SALESPULSE_DBT_TARGET, the profile's target) and the dbt
    # of the spark environment (SALESPULSE_SPARK_DBT; None: .venv-spark's).
    dbt_target: str = "dev"
    spark_dbt: Path | None = None
    # The raw Parquet folder dbt reads instead of the `raw` schema (SALESPULSE_DBT_RAW_PARQUET_DIR;
    # for the spark target `salespulse dbt` defaults it to raw_parquet_dir when that exists).
    dbt_raw_parquet_dir: Path | None = None
    # The PostgreSQL warehouse (SALESPULSE_PG_*, as the dbt profile's `postgres` output).
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_user: str = "salespulse"
    pg_password: str = ""
    pg_db: str = "salespulse"
    # Delivery: SMTP (None: outbox only), alert recipients and webhook, the first brief period.
    smtp: SmtpConfig | None = None
    alert_emails: tuple[str, ...] = ()
    alert_webhook_url: str | None = None
    briefs_start: date = date(2025, 1, 1)
    as_of_override: date | None = None
    dq_start: date | None = None

    def work_calendar(self) -> WorkCalendar:
        """The working-day calendar: SALESPULSE_CALENDAR_COUNTRY's, with SALESPULSE_CALENDAR_FILE's
        days over it - the one the calendar asset writes and the schedules, the landing sensor and
        the daily brief partitions follow."""
        from salespulse.calendar import WorkCalendar

        return WorkCalendar.from_file(self.calendar_file, self.calendar_country)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def as_of(self) -> date:
        """The business date KPIs are computed as of: SALESPULSE_AS_OF, else today (business time)."""
        return self.as_of_override or datetime.now(self.tz).date()

    @property
    def landing_dir(self) -> Path:
        return self.home / "landing"

    @property
    def analytics_path(self) -> Path:
        """The read-only copy of the marts that analysts query."""
        return self.home / "analytics.duckdb"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine_dir(self) -> Path:
        return self.home / "quarantine"

    @property
    def briefs_dir(self) -> Path:
        return self.home / "briefs"

    @property
    def outbox_dir(self) -> Path:
        return self.home / "outbox"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"

    @property
    def raw_parquet_dir(self) -> Path:
        """The raw tables as Parquet files, one per landed file (SALESPULSE_RAW_PARQUET)."""
        return self.home / "raw_parquet"

    @property
    def duckdb_temp_dir(self) -> Path:
        """Where DuckDB spills what does not fit in its memory limit."""
        return self.home / "tmp" / "duckdb"

    def postgres_connect_args(self) -> dict[str, Any]:
        """psycopg2.connect's arguments for the Postgres warehouse."""
        return {
            "host": self.pg_host,
            "port": self.pg_port,
            "user": self.pg_user,
            "password": self.pg_password,
            "dbname": self.pg_db,
        }

    def duckdb_config(self) -> dict[str, str]:
        """Settings every pipeline connection to the warehouse opens with (dbt's profile reads
        the same values from the environment)."""
        return {
            "memory_limit": self.duckdb_memory_limit,
            "threads": str(self.duckdb_threads),
            "temp_directory": str(self.duckdb_temp_dir),
        }

    def ensure_dirs(self) -> None:
        for path in (
            self.landing_dir,
            self.archive_dir,
            self.quarantine_dir,
            self.briefs_dir,
            self.outbox_dir,
            self.dagster_home,
            self.warehouse_path.parent,
            self.duckdb_temp_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)


def load_settings() -> Settings:
    """Read the settings afresh from the environment: the one place that reads it."""
    from salespulse.mail import SmtpConfig

    _load_dotenv()
    home = Path(_env("SALESPULSE_HOME", "data")).expanduser().resolve()
    calendar_file = _env("SALESPULSE_CALENDAR_FILE", "")
    timezone = _env("SALESPULSE_TIMEZONE", "Asia/Shanghai")
    ZoneInfo(timezone)  # fail early on a typo
    return Settings(
        home=home,
        warehouse_path=Path(_env("SALESPULSE_WAREHOUSE", str(home / "warehouse.duckdb"))).resolve(),
        contracts_dir=Path(_env("SALESPULSE_CONTRACTS_DIR", str(RESOURCE_ROOT / "models"))),
        contract_overrides_dir=Path(
            _env("SALESPULSE_CONTRACT_OVERRIDES", str(home / "config" / "contracts"))
        ),
        calendar_file=Path(calendar_file) if calendar_file else None,
        timezone=timezone,
        daily_deadline=_parse_time(_env("SALESPULSE_DAILY_DEADLINE", "17:00"), "SALESPULSE_DAILY_DEADLINE"),
        weekly_deadline=_parse_time(
            _env("SALESPULSE_WEEKLY_DEADLINE", "12:00"), "SALESPULSE_WEEKLY_DEADLINE"
        ),
        **{t.name: _number(t.env, t.default, t.kind) for t in THRESHOLDS},
        locale=_env("SALESPULSE_LOCALE", "zh-CN"),
        calendar_start=_date("SALESPULSE_CALENDAR_START"),
        calendar_country=_env("SALESPULSE_CALENDAR_COUNTRY", "CN"),
        landing_settle_seconds=_number("SALESPULSE_LANDING_SETTLE_SECONDS", "2", int),
        landing_sensor_interval_seconds=_number("SALESPULSE_LANDING_SENSOR_INTERVAL_SECONDS", "5", int),
        docs_port=_number("SALESPULSE_DOCS_PORT", "8080", int),
        duckdb_memory_limit=_env("SALESPULSE_DUCKDB_MEMORY_LIMIT", "1GB"),
        duckdb_threads=_number("SALESPULSE_DUCKDB_THREADS", str(os.cpu_count() or 1), int),
        brief_workers=_number("SALESPULSE_BRIEF_WORKERS", str(os.cpu_count() or 1), int),
        light_test_jobs=tuple(
            job.strip() for job in _env("SALESPULSE_LIGHT_TEST_JOBS", "daily_run").split(",") if job.strip()
        ),
        max_file_mb=_number("SALESPULSE_MAX_FILE_MB", "200", int),
        max_columns=_number("SALESPULSE_MAX_COLUMNS", "500", int),
        max_cell_kb=_number("SALESPULSE_MAX_CELL_KB", "256", int),
        max_sheet_cells=_number("SALESPULSE_MAX_SHEET_CELLS", "5000000", int),
        read_timeout_seconds=_number("SALESPULSE_READ_TIMEOUT_SECONDS", "120"),
        read_memory_mb=_number("SALESPULSE_READ_MEMORY_MB", "2048", int),
        read_workers=_number("SALESPULSE_READ_WORKERS", "2", int),
        run_stuck_minutes=_number("SALESPULSE_RUN_STUCK_MINUTES", "120", int),
        landing_wait_seconds=_number("SALESPULSE_LANDING_WAIT_SECONDS", "120", int),
        min_free_mb=_number("SALESPULSE_MIN_FREE_MB", "100", int),
        dagster_storage=_choice("SALESPULSE_DAGSTER_STORAGE", "sqlite", DAGSTER_STORAGES),
        raw_parquet=_choice("SALESPULSE_RAW_PARQUET", "0", ("0", "1")) == "1",
        marts_engine=_choice("SALESPULSE_MARTS_ENGINE", "duckdb", MARTS_ENGINES),
        spark_home=Path(_env("SALESPULSE_SPARK_HOME", str(home / "spark"))).expanduser().resolve(),
        dbt_target=_env("SALESPULSE_DBT_TARGET", "dev") or "dev",
        spark_dbt=Path(_env("SALESPULSE_SPARK_DBT", "")) if _env("SALESPULSE_SPARK_DBT", "") else None,
        dbt_raw_parquet_dir=Path(_env("SALESPULSE_DBT_RAW_PARQUET_DIR", "")).expanduser().resolve()
        if _env("SALESPULSE_DBT_RAW_PARQUET_DIR", "")
        else None,
        pg_host=_env("SALESPULSE_PG_HOST", "127.0.0.1"),
        pg_port=_number("SALESPULSE_PG_PORT", "5432", int),
        pg_user=_env("SALESPULSE_PG_USER", "salespulse"),
        pg_password=os.environ.get("SALESPULSE_PG_PASSWORD", ""),
        pg_db=_env("SALESPULSE_PG_DB", "salespulse"),
        smtp=SmtpConfig.from_env(os.environ),
        alert_emails=tuple(e.strip() for e in _env("SALESPULSE_ALERT_EMAILS", "").split(",") if e.strip()),
        alert_webhook_url=_env("SALESPULSE_ALERT_WEBHOOK_URL", "") or None,
        briefs_start=_date("SALESPULSE_BRIEFS_START") or date(2025, 1, 1),
        dq_start=_date("SALESPULSE_DQ_START"),
        as_of_override=_date("SALESPULSE_AS_OF"),
    )


@cache
def get_settings() -> Settings:
    """Settings for this process (cached; tests call `get_settings.cache_clear()`)."""
    return load_settings()
