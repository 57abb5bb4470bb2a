-- Reconciliation across grains: the company's months add up to its quarters for every flow KPI
-- (closed quarters from the first month of data on). A row returned means the monthly and quarterly
-- marts assign events to periods differently.
{{ kpi_totals_mismatches(
    ['kpi_company_monthly', 'kpi_company_quarterly'],
    kpi_measures('flows'),
    period="date_trunc('quarter', period_start)",
    closed_only=true,
    since_first_of='kpi_company_monthly'
) }}
