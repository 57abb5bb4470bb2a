-- 公司月度业绩 Company monthly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('company', 'month') }}
