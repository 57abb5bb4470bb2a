-- Each rep's sales and completion in the period before (for the biggest drop, and for
-- "below 80 % two months running").
select
    rep_id,
    sales_amount,
    completion_rate
from marts.kpi_rep_{grain}
where period_start = $previous_start
