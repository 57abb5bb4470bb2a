-- Reconciliation, ISO weeks: for every week and additive KPI, the sum over reps = the sum over
-- teams = the sum over regions = the company total. A row returned names a week and measure
-- where they differ: the team weekly brief would not add up to its reps' figures, or an event
-- is attributed to a rep but not to the rep's team or region.
{{ kpi_totals_mismatches(
    ['kpi_rep_weekly', 'kpi_team_weekly', 'kpi_region_weekly', 'kpi_company_weekly'],
    kpi_measures('additive')
) }}
