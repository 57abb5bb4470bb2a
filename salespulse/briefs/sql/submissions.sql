-- Report submissions due in the period (from the data-quality mart).
select
    submissions.report_type,
    submissions.rep_id,
    reps.rep_name,
    submissions.team_id,
    submissions.period_start,
    submissions.due_at,
    submissions.submitted_at,
    submissions.status,
    submissions.minutes_late
from {dq_submissions} as submissions
left join marts.dim_reps as reps
    on submissions.rep_id = reps.rep_id and reps.is_current
left join marts.dim_teams as teams
    on submissions.team_id = teams.team_id
where
    submissions.period_start between $period_start and $period_end
    and (
        ($scope = 'team' and submissions.team_id = $entity_id)
        or ($scope = 'region' and teams.region = $entity_id)
        or $scope = 'company'
    )
order by
    submissions.status desc,
    submissions.period_start asc,
    submissions.rep_id asc,
    submissions.report_type asc
