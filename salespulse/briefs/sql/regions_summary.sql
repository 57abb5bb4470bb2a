select *
from marts.kpi_region_{grain}
where period_start = $period_start and rep_count > 0
order by completion_rate nulls first, region
