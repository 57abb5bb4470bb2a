-- Reconciliation across grains: a rep's days add up to the rep's month for every flow KPI
-- (sales, orders, customers, leads, won/lost, receivables due, collected, reports). A row
-- returned means the daily and monthly marts assign events to periods differently.
{{ kpi_totals_mismatches(
    ['kpi_rep_daily', 'kpi_rep_monthly'],
    kpi_measures('flows'),
    period="date_trunc('month', period_start)",
    closed_only=true
) }}
