select *
from marts.kpi_team_{grain}
where team_id = $entity_id and period_start = $period_start
