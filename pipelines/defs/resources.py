"""Resources shared by every domain: the DuckDB warehouse and the settings."""

from __future__ import annotations

from contextlib import contextmanager

import dagster as dg
import duckdb

from salespulse.config import get_settings


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse. Its path is SALESPULSE_WAREHOUSE (default $SALESPULSE_HOME/warehouse.duckdb),
    the same setting dbt's profiles.yml reads."""

    path: str

    @contextmanager
    def connect(self):
        con = duckdb.connect(self.path, config=get_settings().duckdb_config())
        try:
            yield con
        finally:
            con.close()


def warehouse_resource() -> WarehouseResource:
    return WarehouseResource(path=str(get_settings().warehouse_path))
