-- Every raw snapshot row (stg_raw__opportunity_lineage), the latest file's row winning per
-- opportunity and snapshot date.
with

raw_rows as (

    select * from {{ ref('stg_raw__opportunity_lineage') }}

),

ranked as (

    select * from raw_rows
    qualify {{ latest_file_wins(['opportunity_id', 'snapshot_date']) }}

)

select * from ranked  -- noqa: AM04
