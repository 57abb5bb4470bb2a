"""Settings read once from the environment (#16 item 5): SMTP, alerts, the Postgres warehouse,
the dbt target and the first brief period are fields of `Settings`, which the code is given,
instead of each module reading its own variables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from salespulse.alerts import AlertSettings
from salespulse.config import load_settings
from salespulse.mail import SmtpConfig
from salespulse.marts import MartsSource

CLEARED = (
    "SALESPULSE_SMTP_HOST",
    "SALESPULSE_SMTP_PORT",
    "SALESPULSE_SMTP_SSL",
    "SALESPULSE_SMTP_STARTTLS",
    "SALESPULSE_ALERT_EMAILS",
    "SALESPULSE_ALERT_WEBHOOK_URL",
    "SALESPULSE_BRIEFS_START",
    "SALESPULSE_PG_HOST",
    "SALESPULSE_PG_PORT",
    "SALESPULSE_PG_DB",
    "SALESPULSE_DBT_TARGET",
    "SALESPULSE_SPARK_DBT",
    "SALESPULSE_DBT_RAW_PARQUET_DIR",
)


@pytest.fixture
def clean(home, monkeypatch):
    for name in CLEARED:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_defaults(clean):
    settings = load_settings()
    assert settings.smtp is None, "no SMTP host: outbox only"
    assert (settings.alert_emails, settings.alert_webhook_url) == ((), None)
    assert settings.briefs_start == date(2025, 1, 1)
    assert settings.postgres_connect_args() == {
        "host": "127.0.0.1",
        "port": 5432,
        "user": "salespulse",
        "password": "",
        "dbname": "salespulse",
    }
    assert (settings.dbt_target, settings.spark_dbt) == ("dev", None)


def test_each_is_read_from_its_variable(clean, tmp_path):
    clean.setenv("SALESPULSE_SMTP_HOST", "mail.example.com")
    clean.setenv("SALESPULSE_SMTP_SSL", "true")
    clean.setenv("SALESPULSE_ALERT_EMAILS", " ops@example.com, lead@example.com ,")
    clean.setenv("SALESPULSE_ALERT_WEBHOOK_URL", "https://hooks.example.com/x")
    clean.setenv("SALESPULSE_BRIEFS_START", "2026-01-05")
    clean.setenv("SALESPULSE_PG_HOST", "db.internal")
    clean.setenv("SALESPULSE_PG_PORT", "6432")
    clean.setenv("SALESPULSE_PG_DB", "sales")
    clean.setenv("SALESPULSE_DBT_TARGET", "postgres")
    clean.setenv("SALESPULSE_SPARK_DBT", str(tmp_path / "dbt"))
    settings = load_settings()
    assert settings.smtp == SmtpConfig(host="mail.example.com", port=465, use_ssl=True)
    alerts = AlertSettings.from_settings(settings)
    assert alerts.emails == ("ops@example.com", "lead@example.com")
    assert alerts.webhook_url == "https://hooks.example.com/x" and alerts.smtp == settings.smtp
    assert settings.briefs_start == date(2026, 1, 5)
    assert MartsSource.from_settings(settings) == MartsSource.duckdb(settings.warehouse_path)
    args = settings.postgres_connect_args()
    assert (args["host"], args["port"], args["dbname"]) == ("db.internal", 6432, "sales")
    assert (settings.dbt_target, settings.spark_dbt) == ("postgres", Path(tmp_path / "dbt"))


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SALESPULSE_BRIEFS_START", "05/01/2026", "SALESPULSE_BRIEFS_START must be a date"),
        ("SALESPULSE_PG_PORT", "five", "SALESPULSE_PG_PORT must be a int"),
    ],
)
def test_a_bad_value_names_its_variable(clean, variable, value, message):
    clean.setenv(variable, value)
    with pytest.raises(ValueError, match=message):
        load_settings()


def test_salespulse_dbt_on_spark_reads_the_data_homes_mirror(clean, tmp_path):
    """`salespulse dbt build --target spark` needs no SALESPULSE_DBT_RAW_PARQUET_DIR once the data
    home has its Parquet mirror (SALESPULSE_RAW_PARQUET=1); the variable still wins when set."""
    from salespulse.dbt_project import dbt_env

    settings = load_settings()
    spark = ["build", "--target", "spark"]
    assert "SALESPULSE_DBT_RAW_PARQUET_DIR" not in dbt_env(settings, spark), "no mirror yet: dbt says"
    settings.raw_parquet_dir.mkdir(parents=True)
    assert dbt_env(settings, spark)["SALESPULSE_DBT_RAW_PARQUET_DIR"] == str(settings.raw_parquet_dir)
    assert "SALESPULSE_DBT_RAW_PARQUET_DIR" not in dbt_env(settings, ["build"]), "DuckDB reads its raw"
    clean.setenv("SALESPULSE_DBT_RAW_PARQUET_DIR", str(tmp_path / "elsewhere"))
    settings = load_settings()
    assert dbt_env(settings, ["build"])["SALESPULSE_DBT_RAW_PARQUET_DIR"] == str(tmp_path / "elsewhere")
    assert dbt_env(settings, spark)["SALESPULSE_DBT_RAW_PARQUET_DIR"] == str(tmp_path / "elsewhere")
