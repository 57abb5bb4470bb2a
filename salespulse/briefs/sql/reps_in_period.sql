-- Reps of the scope in the period: everyone with the sales role, plus anyone else (a
-- supervisor selling) who has a target or sales. Team and region are the rep's on the
-- period's last day (the mart's rule).
select *
from marts.kpi_rep_{grain}
where
    period_start = $period_start
    and (
        ($scope = 'team' and team_id = $entity_id)
        or ($scope = 'region' and region = $entity_id)
        or $scope = 'company'
    )
    and (role = 'rep' or sales_amount <> 0 or target_amount is not null)
order by completion_rate desc nulls last, sales_amount desc, rep_id
