with

source as (

    select * from {{ source('raw', 'opportunities') }}

),

renamed as (

    select
        opportunity_id,
        customer_id,
        owner_rep_id,
        product_line,
        stage,
        status,
        lost_reason,
        amount,
        snapshot_date,
        expected_close_date,
        created_at,
        stage_changed_at,
        closed_at,
        _file_id,
        _row_number,
        _loaded_at

    from source
    qualify {{ latest_file_wins(['opportunity_id', 'snapshot_date']) }}

)

select * from renamed
