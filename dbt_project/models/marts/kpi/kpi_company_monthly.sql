-- 公司月度业绩 Company monthly KPIs (SPEC §3).
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('company', 'month') }}
