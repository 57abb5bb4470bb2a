with

reports as (

    select * from {{ ref('stg_raw__weekly_reports') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

deadlines as (

    select
        *,
        -- Due on the Monday after the ISO week.
        {{ at_time_of_day("cast(week_start + interval '7 day' as date)", var("weekly_deadline")) }}
            as deadline_at

    from reports

),

final as (

    select
        deadlines.rep_id || '@' || {{ format_date('deadlines.week_start', '%G-W%V') }}
            as weekly_report_id,
        deadlines.rep_id,
        assignments.team_id,
        assignments.region,
        deadlines.rep_name,
        {{ format_date('deadlines.week_start', '%G-W%V') }} as iso_week_label,
        deadlines.key_customer_progress,
        deadlines.obstacle_category,
        deadlines.obstacle_text,
        deadlines.support_needed,
        deadlines.weekly_sales,
        deadlines.submission_count,
        deadlines.is_duplicate_submission,
        deadlines.submitted_at > deadlines.deadline_at as is_late,
        {{ iso_day_of_week('deadlines.week_start') }} = 1 as is_week_start_monday,
        deadlines.week_start,
        deadlines.deadline_at,
        deadlines.submitted_at,
        deadlines._file_id

    from deadlines
    left join assignments
        on
            deadlines.rep_id = assignments.rep_id
            and deadlines.week_start >= assignments.span_from
            and deadlines.week_start < assignments.span_to

)

select * from final
