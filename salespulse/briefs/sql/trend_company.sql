select
    period_start,
    period_label,
    sales_amount,
    target_amount,
    completion_rate
from marts.kpi_company_monthly
where period_start between $first_month and $period_start
order by period_start
