select
    rep_id,
    rep_name,
    key_customer_progress,
    obstacle_category,
    obstacle_text,
    support_needed,
    weekly_sales,
    is_late,
    submitted_at
from marts.fct_weekly_reports
where team_id = $entity_id and week_start = $period_start
order by rep_id
