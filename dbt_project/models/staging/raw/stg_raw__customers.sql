with

source as (

    select * from {{ source('raw', 'customers') }}

),

renamed as (

    select
        customer_id,
        owner_rep_id,
        name as customer_name,
        industry,
        region,
        source as lead_source,
        cast(created_at as date) as created_date,
        created_at,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['customer_id']) }}

)

select * from latest
