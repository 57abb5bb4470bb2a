select *
from marts.kpi_region_{grain}
where region = $entity_id and period_start = $period_start
