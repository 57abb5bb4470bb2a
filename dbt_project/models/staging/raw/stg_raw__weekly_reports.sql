with

source as (

    select * from {{ source('raw', 'weekly_reports') }}

),

submissions as (

    select
        *,
        -- The same submission re-exported in a later file keeps its submitted_at: count
        -- distinct submission times, not rows.
        {{ count_distinct_over('submitted_at', ['rep_id', 'week_start']) }} as submission_count

    from source

),

renamed as (

    select
        rep_id,
        rep_name,
        key_customer_progress,
        obstacle_category,
        obstacle_text,
        support_needed,
        weekly_sales,
        cast(submission_count as bigint) as submission_count,
        submission_count > 1 as is_duplicate_submission,
        week_start,
        submitted_at,
        _file_id,
        _row_number,
        _loaded_at

    from submissions

),

latest as (

    {{ latest_file_rows('renamed', ['rep_id', 'week_start'], ['submitted_at desc']) }}

)

select * from latest
