-- Every daily report loaded for an expected rep-day must count as submitted in dq_submissions.
-- A row here is a loaded report that the compliance mart calls missing: the expected-report
-- grid and the submissions disagree (e.g. a rep_id or date mismatch between the two paths).
with

reports as (

    select * from {{ ref('fct_daily_reports') }}

),

submissions as (

    select * from {{ ref('dq_submissions') }}

)

select
    submissions.expected_report_id,
    reports.submitted_at

from submissions
inner join reports
    on
        submissions.rep_id = reports.rep_id
        and submissions.period_start = reports.report_date
where
    submissions.report_type = 'daily'
    and submissions.status = 'missing'
    and reports.submitted_at < {{ as_of_date() }} + interval '1 day'
