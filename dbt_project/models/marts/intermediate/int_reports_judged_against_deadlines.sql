-- Every expected report judged against its deadline as of the end of the as-of date: the first
-- submission decides, a report submitted after its deadline is late (迟交), one not there by the
-- end of the as-of date is missing (缺交); a report rejected at ingest for an impossible value
-- counts as submitted (the value is a finding in dq_anomalies). The KPI marts count daily
-- reports expected and on time from here, and marts.dq_submissions adds the names: the two can
-- never disagree.
with

expected as (

    select * from {{ ref('int_reports_expected_of_active_reps') }}

),

submissions as (

    select * from {{ ref('int_report_submissions_unioned') }}

),

-- Submissions after the as-of date are not there yet, as of that date.
submitted as (

    select
        report_type,
        rep_id,
        period_start,
        cast(count(distinct submitted_at) as bigint) as submission_count,
        bool_and(is_rejected) as is_rejected,
        min(submitted_at) as submitted_at,
        max(submitted_at) as last_submitted_at

    from submissions
    where submitted_at < {{ as_of_date() }} + interval '1 day'
    group by report_type, rep_id, period_start

),

joined as (

    select
        expected.report_type,
        expected.rep_id,
        expected.team_id,
        coalesce(submitted.submission_count, 0) as submission_count,
        coalesce(submitted.is_rejected, false) as is_rejected,
        expected.period_start,
        expected.period_end,
        expected.due_at,
        submitted.submitted_at,
        submitted.last_submitted_at

    from expected
    left join submitted
        on
            expected.report_type = submitted.report_type
            and expected.rep_id = submitted.rep_id
            and expected.period_start = submitted.period_start

),

final as (

    select
        report_type || ':' || rep_id || '@' || {{ format_date('period_start', '%Y-%m-%d') }}
            as expected_report_id,
        report_type,
        rep_id,
        team_id,
        case
            when report_type = 'weekly' then {{ format_date('period_start', '%G-W%V') }}
            else {{ format_date('period_start', '%Y-%m-%d') }}
        end as period_label,
        case
            when submitted_at is null then 'missing'
            when submitted_at > due_at then 'late'
            else 'on_time'
        end as status,
        case
            when submitted_at > due_at
                then cast(ceil({{ seconds_between('due_at', 'submitted_at') }} / 60) as bigint)
            when submitted_at is not null then 0
        end as minutes_late,
        submission_count,
        is_rejected,
        period_start,
        period_end,
        due_at,
        submitted_at,
        last_submitted_at

    from joined

)

select * from final
