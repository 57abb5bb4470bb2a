-- 区域周度业绩 Region weekly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('region', 'week') }}
