with

source as (

    select * from {{ source('raw', 'orders') }}

),

renamed as (

    select
        order_id,
        customer_id,
        opportunity_id,
        owner_rep_id,
        product_line,
        status,
        amount,
        status = 'cancelled' as is_cancelled,
        signed_date,
        _file_id,
        _loaded_at

    from source
    qualify {{ latest_file_wins(['order_id']) }}

)

select * from renamed
