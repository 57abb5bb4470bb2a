-- Completion of each rep in the month before (for "below 80 % two months running").
select rep_id, completion_rate
from marts.kpi_rep_monthly
where period_start = $previous_month
