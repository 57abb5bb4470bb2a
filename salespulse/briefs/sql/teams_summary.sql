-- Teams of the scope in the period; a team pack compares the team with its region's teams.
select *
from marts.kpi_team_{grain}
where
    period_start = $period_start
    and rep_count > 0
    and (
        $scope = 'company'
        or ($scope = 'region' and region = $entity_id)
        or ($scope = 'team' and (region = $region or team_id = $entity_id))
    )
order by completion_rate nulls first, team_id
