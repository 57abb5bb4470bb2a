-- Every distinct submission of a daily report (日报), not only the one staging keeps: the
-- first submission decides lateness and a second one is a duplicate (重复提交). The same
-- submission re-exported in a later file is one submission (latest file wins).
with

source as (

    select * from {{ source('raw', 'daily_reports') }}

),

renamed as (

    select
        rep_id,
        visits,
        calls,
        new_leads,
        report_date,
        submitted_at,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['rep_id', 'report_date', 'submitted_at']) }}

)

-- Every column but _row_number, which only orders the rows of one file.
select
    rep_id,
    visits,
    calls,
    new_leads,
    report_date,
    submitted_at,
    _file_id,
    _loaded_at
from latest
