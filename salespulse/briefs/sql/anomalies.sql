-- Data-quality findings overlapping the period (from the data-quality mart; columns are read
-- by name in data.py so that optional ones may be absent).
select
    anomalies.*,
    reps.rep_name
from {dq_anomalies} as anomalies
left join marts.dim_reps as reps
    on anomalies.rep_id = reps.rep_id and reps.is_current
left join marts.dim_teams as teams
    on anomalies.team_id = teams.team_id
where
    anomalies.start_date <= $period_end
    and coalesce(anomalies.end_date, anomalies.start_date) >= $period_start
    and (
        ($scope = 'team' and anomalies.team_id = $entity_id)
        or ($scope = 'region' and teams.region = $entity_id)
        or $scope = 'company'
    )
order by anomalies.severity, anomalies.kind, anomalies.rep_id, anomalies.start_date, anomalies.anomaly_id
