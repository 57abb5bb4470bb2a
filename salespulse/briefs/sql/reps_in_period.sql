-- Reps of the scope in the period: everyone with the sales role, plus anyone else (a
-- supervisor selling) who has a target or sales. Team and region are the rep's on the
-- period's last day (the mart's rule); the team's name and the rep's hire date come along.
select
    kpi.*,
    teams.team_name,
    reps.hire_date
from marts.kpi_rep_{grain} as kpi
left join marts.dim_teams as teams
    on kpi.team_id = teams.team_id
left join marts.dim_reps as reps
    on kpi.rep_id = reps.rep_id and reps.is_current
where
    kpi.period_start = $period_start
    and (
        ($scope = 'team' and kpi.team_id = $entity_id)
        or ($scope = 'region' and kpi.region = $entity_id)
        or $scope = 'company'
    )
    and (kpi.role = 'rep' or kpi.sales_amount <> 0 or kpi.target_amount is not null)
order by kpi.completion_rate nulls first, kpi.sales_amount, kpi.rep_id
