-- 团队业绩汇总表 Team monthly KPIs, events attributed by their date.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('team', 'month') }}
