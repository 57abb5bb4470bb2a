-- 个人业绩跟踪表 Rep monthly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('rep', 'month') }}
