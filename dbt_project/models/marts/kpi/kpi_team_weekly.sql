-- 团队周度业绩 Team weekly KPIs, events attributed by their date.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('team', 'week') }}
