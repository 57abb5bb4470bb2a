-- Action items of the scope's people: every one still open, and those closed in the period.
select
    actions.action_id,
    actions.owner_rep_id,
    reps.rep_name as owner_name,
    actions.owner_team_id,
    actions.review_type,
    actions.review_period,
    actions.problem,
    actions.measure,
    actions.status,
    actions.is_open,
    actions.is_overdue,
    actions.due_date,
    actions.closed_date
from marts.fct_action_items as actions
left join marts.dim_reps as reps
    on actions.owner_rep_id = reps.rep_id and reps.is_current
left join marts.dim_teams as teams
    on actions.owner_team_id = teams.team_id
where
    (
        ($scope = 'team' and actions.owner_team_id = $entity_id)
        or ($scope = 'region' and teams.region = $entity_id)
        or $scope = 'company'
    )
    and (actions.is_open or actions.closed_date between $period_start and $period_end)
order by actions.is_overdue desc, actions.is_open desc, actions.due_date asc, actions.action_id asc
