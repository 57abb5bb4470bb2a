-- 个人季度业绩 Rep quarterly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('rep', 'quarter') }}
