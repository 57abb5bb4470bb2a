select *
from marts.kpi_company_{grain}
where period_start = $period_start
