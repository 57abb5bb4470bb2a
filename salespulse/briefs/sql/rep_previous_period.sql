-- Each rep's sales in the period before (for the biggest drop).
select
    rep_id,
    sales_amount
from marts.kpi_rep_{grain}
where period_start = $previous_start
order by rep_id
