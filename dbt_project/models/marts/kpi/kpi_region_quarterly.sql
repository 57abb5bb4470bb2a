-- 区域季度业绩 Region quarterly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('region', 'quarter') }}
