with

source as (

    select * from {{ source('raw', 'receivables') }}

),

renamed as (

    select
        receivable_id,
        order_id,
        amount as amount_due,
        due_date,
        _file_id,
        _row_number,
        _loaded_at

    from source
    qualify {{ latest_file_wins(['receivable_id']) }}

)

select * from renamed
