with

source as (

    select * from {{ source('raw', 'orders') }}

),

renamed as (

    select
        order_id,
        line_id,
        order_id || coalesce('#' || line_id, '') as order_line_id,
        customer_id,
        opportunity_id,
        owner_rep_id,
        product_line,
        status,
        amount,
        status = 'cancelled' as is_cancelled,
        signed_date,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

-- A later export of an order replaces the whole order, every line of it: the lines of the
-- latest file that has the order (keys are unique within a file, checked at ingest).
latest as (

    {{ latest_file_only('renamed', 'order_id') }}

)

select * from latest
