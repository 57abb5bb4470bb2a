-- Which file holds which opportunity's snapshot: every raw row, not only the one the latest file
-- wins with, and nothing else. The incremental opportunity models find the deals that changed
-- here (a scan of four columns, where stg_raw__opportunity_snapshots ranks every row).
with

source as (

    select * from {{ source('raw', 'opportunities') }}

),

renamed as (

    select
        opportunity_id,
        snapshot_date,
        _file_id,
        _row_number

    from source

)

select * from renamed
