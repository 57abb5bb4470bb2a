"""Warehouse: the dbt project (staging → marts) as Dagster assets, dbt tests as asset checks."""
