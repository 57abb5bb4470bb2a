-- Reconciliation, product lines: for every month and KPI that has a product line (orders,
-- opportunities, receivables, pipeline), the sum over product lines = the company total. A row
-- returned means events without a product line, or a product line missing from dim_products.
{{ kpi_totals_mismatches(
    ['kpi_product_monthly', 'kpi_company_monthly'],
    kpi_measures('product')
) }}
