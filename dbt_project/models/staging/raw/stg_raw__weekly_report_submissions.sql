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
        _loaded_at

    from source
    qualify {{ latest_file_wins(['rep_id', 'week_start', 'submitted_at']) }}

)

select * from renamed
