-- 公司年度业绩 Company yearly KPIs: year target = sum of its quarters.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('company', 'year') }}
