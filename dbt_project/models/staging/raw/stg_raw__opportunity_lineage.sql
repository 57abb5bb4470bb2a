-- Every raw opportunity snapshot row, not only the one the latest file wins with, and nothing
-- else. The incremental opportunity models find the deals that changed here (a scan of four
-- columns, where stg_raw__opportunity_snapshots ranks every row of this model), and the intervals
-- model reads the changed deals' rows from here, ranking only those.
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

)

select * from renamed
