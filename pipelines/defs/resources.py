"""Resources shared by every domain: the settings and the DuckDB warehouse.

The settings are read once per process, by the code location's entry point
(pipelines/definitions.py), and reach every asset and check as the `settings` resource; the
sensors and schedules are built from them (their intervals, timezones and deadlines are part of
their definitions). No module reads them when it is imported.
"""

from __future__ import annotations

from contextlib import contextmanager

import dagster as dg
import duckdb

from salespulse.config import Settings

# What an asset or a check declares to be given the settings: `settings: SettingsParam`.
SettingsParam = dg.ResourceParam[Settings]


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse (SALESPULSE_WAREHOUSE, default $SALESPULSE_HOME/warehouse.duckdb) and
    the settings every connection opens with (SALESPULSE_DUCKDB_*); the dbt step gives dbt's
    profile the same path and limits (salespulse.dbt_project.dbt_profile_env)."""

    path: str
    duckdb_config: dict[str, str] = {}  # noqa: RUF012 (pydantic copies defaults)

    @classmethod
    def from_settings(cls, settings: Settings) -> WarehouseResource:
        return cls(path=str(settings.warehouse_path), duckdb_config=settings.duckdb_config())

    @contextmanager
    def connect(self):
        con = duckdb.connect(self.path, config=dict(self.duckdb_config))
        try:
            yield con
        finally:
            con.close()
