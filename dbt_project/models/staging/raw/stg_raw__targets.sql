with

source as (

    select * from {{ source('raw', 'targets') }}

),

renamed as (

    select
        level,
        entity_id,
        period,
        metric,
        case when period like '%-Q%' then 'quarter' else 'month' end as period_grain,
        value as target_value,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['level', 'entity_id', 'period', 'metric']) }}

)

select * from latest
