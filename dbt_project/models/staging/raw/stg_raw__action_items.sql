with

source as (

    select * from {{ source('raw', 'action_items') }}

),

renamed as (

    select
        action_id,
        owner_rep_id,
        review_type,
        review_period,
        problem,
        measure,
        status,
        due_date,
        closed_at as closed_date,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['action_id']) }}

)

select * from latest
