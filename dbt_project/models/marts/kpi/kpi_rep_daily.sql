-- 个人日报表 Rep daily KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('rep', 'day') }}
