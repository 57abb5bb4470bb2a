-- 连续零拜访 Zero-visit streaks (SPEC §4): runs of at least var zero_visit_streak_days
-- consecutive expected working days on which the rep reported visits = 0. A working day
-- without a loaded report (missing, or rejected at ingest) breaks the run.
with

expected as (

    select * from {{ ref('int_reports_expected_of_active_reps') }}
    where report_type = 'daily'

),

reports as (

    select * from {{ ref('fct_daily_reports') }}

),

sequenced as (

    select
        expected.rep_id,
        expected.team_id,
        coalesce(reports.visits = 0, false) as is_zero_visit_day,
        expected.period_start as report_date,
        row_number() over (
            partition by expected.rep_id order by expected.period_start
        ) as workday_number

    from expected
    left join reports
        on
            expected.rep_id = reports.rep_id
            and expected.period_start = reports.report_date

),

zero_visit_days as (

    select
        *,
        workday_number - row_number() over (
            partition by rep_id order by report_date
        ) as streak_number

    from sequenced
    where is_zero_visit_day

),

final as (

    select
        rep_id,
        {{ arg_min('team_id', 'report_date') }} as team_id,
        cast(count(*) as bigint) as streak_days,
        min(report_date) as start_date,
        max(report_date) as end_date

    from zero_visit_days
    group by rep_id, streak_number
    having count(*) >= {{ threshold('zero_visit_streak_days') }}

)

select * from final
