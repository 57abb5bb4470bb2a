-- 需辅导 findings of the data-quality mart (dbt, models/quality/dq_anomalies: the one
-- implementation of the rule) that cover the month and the one before it: reps below the
-- coaching threshold two closed months running, up to this one. Any team: the pack looks its
-- reps up by id.
select anomalies.*
from {dq_anomalies} as anomalies
where
    anomalies.kind = 'needs_coaching'
    and anomalies.rep_id is not null
    and anomalies.start_date < $period_start
    and coalesce(anomalies.end_date, anomalies.start_date) >= $period_start
order by anomalies.rep_id, anomalies.start_date, anomalies.anomaly_id
