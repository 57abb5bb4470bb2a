-- 公司周度业绩 Company weekly KPIs (SPEC §3).
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('company', 'week') }}
