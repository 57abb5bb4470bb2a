-- Every raw snapshot row (stg_raw__opportunity_lineage), the latest file's row winning per
-- opportunity and snapshot date.
with

raw_rows as (

    select * from {{ ref('stg_raw__opportunity_lineage') }}

),

ranked as (

    {{ latest_file_rows('raw_rows', ['opportunity_id', 'snapshot_date']) }}

)

select * from ranked  -- noqa: AM04
