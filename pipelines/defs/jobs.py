"""Jobs: the whole pipeline (what the demo, the sensor and the schedules run)."""

from __future__ import annotations

import dagster as dg

pipeline_job = dg.define_asset_job(
    "salespulse_pipeline",
    selection=dg.AssetSelection.all(),
    description="Ingest landed files, then everything downstream of them.",
)
