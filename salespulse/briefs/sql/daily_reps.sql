-- The team's reps on the day: their activity and whether the day's report was on time.
select
    rep_id,
    rep_name,
    visits,
    calls,
    new_leads,
    sales_amount,
    daily_reports_expected,
    daily_reports_on_time
from marts.kpi_rep_daily
where team_id = $entity_id and period_start = $period_start and role <> 'manager'
order by rep_id
