with

reports as (

    select * from {{ ref('stg_raw__daily_reports') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

dates as (

    select * from {{ ref('dim_dates') }}

),

final as (

    select
        reports.rep_id || '@' || {{ format_date('reports.report_date', '%Y-%m-%d') }}
            as daily_report_id,
        reports.rep_id,
        assignments.team_id,
        assignments.region,
        reports.rep_name,
        reports.notes,
        reports.visits,
        reports.calls,
        reports.new_leads,
        reports.submission_count,
        reports.visits > {{ threshold('max_daily_visits') }} as is_visits_impossible,
        reports.is_duplicate_submission,
        dates.is_workday,
        reports.submitted_at > {{ at_time_of_day('reports.report_date', var("daily_deadline")) }}
            as is_late,
        cast(reports.submitted_at as date) < reports.report_date as is_submitted_before_day,
        reports.report_date,
        {{ at_time_of_day('reports.report_date', var("daily_deadline")) }} as deadline_at,
        reports.submitted_at,
        reports._file_id,
        reports._row_number

    from reports
    left join assignments
        on
            reports.rep_id = assignments.rep_id
            and reports.report_date >= assignments.span_from
            and reports.report_date < assignments.span_to
    left join dates
        on reports.report_date = dates.date_day

)

select * from final
