-- Every distinct submission (提交记录) of a daily or weekly report, loaded or rejected at
-- ingest: a report rejected for an impossible value was still submitted on time or late.
-- Weekly reports are keyed by the Monday of their ISO week.
with

daily_submissions as (

    select * from {{ ref('stg_raw__daily_report_submissions') }}

),

weekly_submissions as (

    select * from {{ ref('stg_raw__weekly_report_submissions') }}

),

daily_rejects as (

    select * from {{ ref('stg_raw__daily_report_rejects') }}

),

-- A rejected row counts as a submission when it names a rep, a day and a time.
rejected_daily_submissions as (

    select
        rep_id,
        report_date,
        submitted_at,
        min(_file_id) as _file_id

    from daily_rejects
    where
        rep_id is not null
        and report_date is not null
        and submitted_at is not null
    group by rep_id, report_date, submitted_at

),

final as (

    select
        'daily' as report_type,
        rep_id,
        false as is_rejected,
        report_date as period_start,
        submitted_at,
        _file_id

    from daily_submissions

    union all

    select
        'daily' as report_type,
        rep_id,
        true as is_rejected,
        report_date as period_start,
        submitted_at,
        _file_id

    from rejected_daily_submissions

    union all

    select
        'weekly' as report_type,
        rep_id,
        false as is_rejected,
        cast(date_trunc('week', week_start) as date) as period_start,
        submitted_at,
        _file_id

    from weekly_submissions

)

select * from final
