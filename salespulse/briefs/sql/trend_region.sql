select
    period_start,
    period_label,
    sales_amount,
    target_amount,
    completion_rate
from marts.kpi_region_monthly
where region = $entity_id and period_start between $first_month and $period_start
order by period_start
