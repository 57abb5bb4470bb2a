-- Reconciliation, quarters: for every quarter and additive KPI, the sum over reps = the sum
-- over teams = the sum over regions = the company total. A row returned names a quarter and
-- measure where they differ: an event is attributed to a rep but not to the rep's team or
-- region, or a mart lost an entity x quarter row.
{{ kpi_totals_mismatches(
    ['kpi_rep_quarterly', 'kpi_team_quarterly', 'kpi_region_quarterly', 'kpi_company_quarterly'],
    kpi_measures('additive')
) }}
