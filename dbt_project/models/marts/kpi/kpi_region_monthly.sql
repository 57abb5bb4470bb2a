-- 区域月度业绩 Region monthly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('region', 'month') }}
