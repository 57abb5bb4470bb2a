-- 个人周业绩 Rep weekly KPIs: week targets prorated by working days.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('rep', 'week') }}
