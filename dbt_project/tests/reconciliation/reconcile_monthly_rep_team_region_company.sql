-- Reconciliation, months: for every month and additive KPI, the sum over reps = the sum over
-- teams = the sum over regions = the company total. A row returned names a month and measure
-- where they differ: an event is attributed to a rep but not to the rep's team or region (or
-- twice), a mart lost an entity x month row, or a mart filters events the others keep.
{{ kpi_totals_mismatches(
    ['kpi_rep_monthly', 'kpi_team_monthly', 'kpi_region_monthly', 'kpi_company_monthly'],
    kpi_measures('additive')
) }}
