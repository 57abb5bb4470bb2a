-- Sales teams with members in the period (manager units without reps have no brief).
select
    team_id,
    team_name,
    region
from marts.kpi_team_{grain}
where period_start = $period_start and rep_count > 0
order by region, team_id
