-- 公司周度业绩 Company weekly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('company', 'week') }}
