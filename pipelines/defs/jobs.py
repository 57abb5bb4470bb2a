"""Jobs: the whole pipeline (what the demo, the sensor and the schedules run)."""

from __future__ import annotations

import dagster as dg

# Briefs are partitioned by period and run in their own jobs; one job cannot mix partitionings.
pipeline_job = dg.define_asset_job(
    "salespulse_pipeline",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("briefs"),
    description="Ingest landed files, build the warehouse, run the checks, publish analytics.duckdb.",
)

reprocess_job = dg.define_asset_job(
    "reprocess",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups("briefs"),
    description="Read archived files again under today's contracts (by default every quarantined "
    "file; set reprocess_file_ids or reprocess_kind in the config), then rebuild like the pipeline.",
    config={"ops": {"ingest_landing": {"config": {"reprocess_quarantined": True}}}},
)
