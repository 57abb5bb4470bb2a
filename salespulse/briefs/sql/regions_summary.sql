select *
from marts.kpi_region_monthly
where period_start = $period_start and rep_count > 0
order by sales_amount desc, region
