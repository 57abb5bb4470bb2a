-- Reconciliation across grains: a rep's days add up to the rep's ISO week for every flow KPI,
-- also for weeks that span two months. A row returned means the daily and weekly marts assign
-- events to periods differently.
{{ kpi_totals_mismatches(
    ['kpi_rep_daily', 'kpi_rep_weekly'],
    kpi_measures('flows'),
    period="date_trunc('week', period_start)",
    closed_only=true,
    since_first_of='kpi_rep_daily'
) }}
