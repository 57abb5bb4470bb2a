-- 公司季度业绩 Company quarterly KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('company', 'quarter') }}
