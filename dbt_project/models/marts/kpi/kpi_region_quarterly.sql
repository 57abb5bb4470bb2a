-- 区域季度业绩 Region quarterly KPIs (SPEC §3).
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('region', 'quarter') }}
