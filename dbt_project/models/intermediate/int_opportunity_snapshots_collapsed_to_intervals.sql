-- Opportunity history as change intervals: consecutive snapshots of an opportunity in the same
-- state (stage, status, amount, owner, product line, customer, dates, lost reason) collapse into
-- one row, valid from its first snapshot until the next change (valid_to, null for the current
-- state). A CRM exporting every open deal every day stores a copy of unchanged state per day;
-- this keeps a row per change, which is what pipeline-as-of-a-date and stage conversion need.
--
-- Incremental: a run recomputes the whole history of the opportunities that appear in files
-- registered since its last build (a new snapshot, a late or corrected export), and nothing else.
-- depends_on: {{ ref('stg_raw__ingested_files') }}, {{ ref('stg_raw__opportunity_lineage') }}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='opportunity_id',
        on_schema_change='fail',
        pre_hook="{{ clear_if_full_rebuild(['opportunities']) }}",
        post_hook="{{ record_incremental_watermark() }}",
    )
}}

with

snapshots as (

    select * from {{ ref('stg_raw__opportunity_snapshots') }}
    {% if is_incremental() -%}
        where {{ changed_keys('opportunities', 'opportunity_id', 'stg_raw__opportunity_lineage') }}
    {%- endif %}

),

stated as (

    select
        *,
        struct_pack(
            customer_id, owner_rep_id, product_line, stage, status, lost_reason, amount,
            expected_close_date, created_at, stage_changed_at, closed_at
        ) as tracked_state

    from snapshots

),

changes as (

    select
        *,
        coalesce(
            lag(tracked_state) over (partition by opportunity_id order by snapshot_date)
            <> tracked_state,
            true
        ) as is_change

    from stated

),

numbered as (

    select
        *,
        sum(cast(is_change as integer)) over (
            partition by opportunity_id order by snapshot_date
            rows between unbounded preceding and current row
        ) as interval_number

    from changes

),

intervals as (

    select
        opportunity_id,
        interval_number,
        any_value(customer_id) as customer_id,
        any_value(owner_rep_id) as owner_rep_id,
        any_value(product_line) as product_line,
        any_value(stage) as stage,  -- noqa: RF04
        any_value(status) as status,
        any_value(lost_reason) as lost_reason,
        any_value(amount) as amount,
        cast(count(*) as bigint) as snapshot_count,
        min(snapshot_date) as valid_from,
        max(snapshot_date) as last_seen_date,
        any_value(expected_close_date) as expected_close_date,
        any_value(created_at) as created_at,
        any_value(stage_changed_at) as stage_changed_at,
        any_value(closed_at) as closed_at,
        -- Lineage of the interval's last snapshot (the row the row-flow audit counts).
        arg_max(_file_id, snapshot_date) as _file_id,
        arg_max(_row_number, snapshot_date) as _row_number

    from numbered
    group by opportunity_id, interval_number

),

final as (

    select
        opportunity_id,
        customer_id,
        owner_rep_id,
        product_line,
        stage,
        status,
        lost_reason,
        amount,
        snapshot_count,
        valid_from,
        lead(valid_from) over (partition by opportunity_id order by valid_from) as valid_to,
        last_seen_date,
        expected_close_date,
        created_at,
        stage_changed_at,
        closed_at,
        _file_id,
        _row_number

    from intervals

)

select * from final
