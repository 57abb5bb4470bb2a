-- 报告提交情况 One row per expected report: on time, late or missing as of the end of the as-of
-- date (judged in int_reports_judged_against_deadlines: the first submission decides, a report
-- submitted after its deadline is late (迟交), one not there by the end of the as-of date is
-- missing (缺交)). The rep's and the team's names are in the row (the team's as named on the
-- period's first day).
with

judged as (

    select * from {{ ref('int_reports_judged_against_deadlines') }}

),

reps as (

    select * from {{ ref('dim_reps') }}
    where is_current

),

team_names as (

    select * from {{ ref('int_team_names_spanned') }}

),

final as (

    select
        judged.expected_report_id,
        judged.report_type,
        judged.rep_id,
        judged.team_id,
        reps.rep_name,
        team_names.team_name,
        judged.period_label,
        judged.status,
        judged.minutes_late,
        judged.submission_count,
        judged.is_rejected,
        judged.period_start,
        judged.period_end,
        judged.due_at,
        judged.submitted_at,
        judged.last_submitted_at

    from judged
    left join reps
        on judged.rep_id = reps.rep_id
    left join team_names
        on
            judged.team_id = team_names.team_id
            and judged.period_start >= team_names.span_from
            and judged.period_start < team_names.span_to

)

select * from final
