with

source as (

    select * from {{ source('raw', 'payments') }}

),

renamed as (

    select
        payment_id,
        receivable_id,
        order_id,
        amount as amount_received,
        received_date,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['payment_id']) }}

)

select * from latest
