"""Jobs: the whole pipeline (what the demo, the sensor and the schedules run)."""

from __future__ import annotations

import dagster as dg

# Briefs are partitioned by period and run in their own jobs; one job cannot mix partitionings.
pipeline_job = dg.define_asset_job(
    "salespulse_pipeline",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("briefs"),
    description="Ingest landed files, build the warehouse, run the checks, publish analytics.duckdb.",
)
