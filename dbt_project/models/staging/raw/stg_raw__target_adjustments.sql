with

source as (

    select * from {{ source('raw', 'target_adjustments') }}

),

renamed as (

    select
        adjustment_id,
        level,
        entity_id,
        period,
        metric,
        status,
        reason,
        requested_by,
        approved_by,
        new_value,
        status = 'approved' as is_approved,
        approved_at,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['adjustment_id']) }}

)

select * from latest
