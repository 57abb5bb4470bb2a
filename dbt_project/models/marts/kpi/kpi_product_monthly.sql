-- 产品线月度业绩 Product-line monthly KPIs, no target.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
{{ kpi_mart('product', 'month') }}
