-- Reps of the scope whose daily reports have been missing on every working day since their
-- last submission, up to the as-of date: how many days in a row, and since when.
with

daily as (

    select
        rep_id,
        team_id,
        period_start,
        status
    from {dq_submissions}
    where report_type = 'daily' and period_start <= $as_of

),

last_submitted as (

    select
        rep_id,
        max(period_start) filter (where status <> 'missing') as last_submitted_date
    from daily
    group by rep_id

),

missing as (

    select
        daily.rep_id,
        daily.team_id,
        daily.period_start,
        row_number() over (partition by daily.rep_id order by daily.period_start desc) as recency
    from daily
    inner join last_submitted
        on daily.rep_id = last_submitted.rep_id
    where
        daily.status = 'missing'
        and daily.period_start > coalesce(last_submitted.last_submitted_date, date '1900-01-01')

),

streaks as (

    -- The team of the latest missing day (a rep who moved is listed with the team now).
    select
        rep_id,
        max(case when recency = 1 then team_id end) as team_id,
        cast(count(*) as bigint) as missing_days,
        min(period_start) as first_missing,
        max(period_start) as last_missing
    from missing
    group by rep_id

)

select
    streaks.*,
    reps.rep_name
from streaks
left join marts.dim_reps as reps
    on streaks.rep_id = reps.rep_id and reps.is_current
left join marts.dim_teams as teams
    on streaks.team_id = teams.team_id
where
    ($scope = 'team' and streaks.team_id = $entity_id)
    or ($scope = 'region' and teams.region = $entity_id)
    or $scope = 'company'
order by streaks.missing_days desc, streaks.rep_id asc
