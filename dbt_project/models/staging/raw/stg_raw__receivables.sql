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

),

latest as (

    {{ latest_file_rows('renamed', ['receivable_id']) }}

)

select * from latest
