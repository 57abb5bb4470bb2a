-- Every distinct submission of a weekly report (周报); see stg_raw__daily_report_submissions.
with

source as (

    select * from {{ source('raw', 'weekly_reports') }}

),

renamed as (

    select
        rep_id,
        week_start,
        submitted_at,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['rep_id', 'week_start', 'submitted_at']) }}

)

-- Every column but _row_number, which only orders the rows of one file.
select
    rep_id,
    week_start,
    submitted_at,
    _file_id,
    _loaded_at
from latest
