{#-
    Every report an active sales rep owes (应交报告), SPEC §4: a daily report (日报) for each
    working day (工作日, 调休 make-up days included, holidays excluded) and a weekly report
    (周报) for each ISO week with at least one working day, while the rep is employed (between
    hire and leave date) in the role `rep`. Reports are expected from the start of the data
    window (var dq_start_date, else the first report date loaded; for weekly reports the first
    Monday on or after it) up to the as-of date, which counts as closed: a daily report is
    expected when its day is on or before the as-of date, a weekly report when its deadline (the
    Monday after the week) is.
-#}
{%- set start_date = var('dq_start_date', '') -%}
with

dates as (

    select * from {{ ref('dim_dates') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

submissions as (

    select * from {{ ref('int_report_submissions_unioned') }}

),

windows as (

    {%- if start_date %}
    -- One row: the configured start of the window.
        select
            cast('{{ start_date }}' as date) as daily_window_start,
            cast('{{ start_date }}' as date) as weekly_window_start
    {%- else %}
        select
            min(case when report_type = 'daily' then period_start end) as daily_window_start,
            min(case when report_type = 'weekly' then period_start end) as weekly_window_start

        from submissions
    {%- endif %}

),

active_rep_days as (

    select
        assignments.rep_id,
        assignments.team_id,
        dates.date_day,
        dates.iso_week_start

    from dates
    inner join assignments
        on
            dates.date_day >= assignments.span_from
            and dates.date_day < assignments.span_to
    inner join reps
        on assignments.rep_assignment_id = reps.rep_assignment_id
    cross join windows
    where
        dates.is_workday
        and dates.date_day <= {{ as_of_date() }}
        and dates.date_day >= least(windows.daily_window_start, windows.weekly_window_start)
        and reps.role = 'rep'
        and (reps.hire_date is null or dates.date_day >= reps.hire_date)
        and (reps.leave_date is null or dates.date_day <= reps.leave_date)

),

daily_expected as (

    select
        'daily' as report_type,
        active_rep_days.rep_id,
        active_rep_days.team_id,
        active_rep_days.date_day as period_start,
        active_rep_days.date_day as period_end,
        {{ at_time_of_day('active_rep_days.date_day', var("daily_deadline")) }} as due_at

    from active_rep_days
    cross join windows
    where active_rep_days.date_day >= windows.daily_window_start

),

weekly_expected as (

    select
        'weekly' as report_type,
        active_rep_days.rep_id,
        -- The team of the rep's first working day in the week.
        {{ arg_min('active_rep_days.team_id', 'active_rep_days.date_day') }} as team_id,
        active_rep_days.iso_week_start as period_start,
        cast(active_rep_days.iso_week_start + interval '6 day' as date) as period_end,
        {{ at_time_of_day(
            "cast(active_rep_days.iso_week_start + interval '7 day' as date)", var("weekly_deadline")
        ) }} as due_at

    from active_rep_days
    cross join windows
    where
        active_rep_days.iso_week_start >= windows.weekly_window_start
        and active_rep_days.iso_week_start + interval '7 day' <= {{ as_of_date() }}
    group by active_rep_days.rep_id, active_rep_days.iso_week_start

),

final as (

    select * from daily_expected
    union all
    select * from weekly_expected

)

select * from final
