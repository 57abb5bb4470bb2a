with

source as (

    select * from {{ source('raw', 'quotes') }}

),

renamed as (

    select
        quote_id,
        revision,
        opportunity_id,
        rep_id,
        quoted_date,
        amount,
        _file_id,
        _row_number,
        _loaded_at

    from source
    qualify {{ latest_file_wins(['quote_id', 'revision']) }}

)

select * from renamed
