-- Reconciliation across grains: the company's quarters add up to its years for every flow KPI
-- (closed years from the first quarter of data on). A row returned means the quarterly and yearly
-- marts assign events to periods differently.
{{ kpi_totals_mismatches(
    ['kpi_company_quarterly', 'kpi_company_yearly'],
    kpi_measures('flows'),
    period="date_trunc('year', period_start)",
    closed_only=true,
    since_first_of='kpi_company_quarterly'
) }}
