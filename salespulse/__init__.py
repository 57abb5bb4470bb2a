"""salespulse: a sales-performance data pipeline (Dagster + dbt-duckdb)."""

__version__ = "0.1.0"
