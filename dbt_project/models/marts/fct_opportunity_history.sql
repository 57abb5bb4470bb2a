-- Incremental like the intervals it reads: the opportunities in files registered since the last
-- build get their whole history again; the others keep theirs.
-- depends_on: {{ ref('stg_raw__ingested_files') }}, {{ ref('stg_raw__opportunity_lineage') }}
{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='delete+insert',
        unique_key='opportunity_id',
        on_schema_change='fail',
        pre_hook="{{ clear_if_full_rebuild(['opportunities']) }}",
        post_hook="{{ record_incremental_watermark() }}",
    )
}}

with

intervals as (

    select * from {{ ref('int_opportunity_snapshots_collapsed_to_intervals') }}
    {% if is_incremental() -%}
        where {{ changed_keys('opportunities', 'opportunity_id', 'stg_raw__opportunity_lineage') }}
    {%- endif %}

),

sequenced as (

    select
        *,
        lag(stage) over (partition by opportunity_id order by valid_from) as previous_stage,
        valid_to is null as is_latest_snapshot

    from intervals

),

-- A stage run is a maximal sequence of consecutive intervals in the same stage.
runs as (

    select
        *,
        sum(case when previous_stage is distinct from stage then 1 else 0 end) over (
            partition by opportunity_id order by valid_from
            rows between unbounded preceding and current row
        ) as stage_run_number

    from sequenced

),

stage_entries as (

    select
        *,
        -- The CRM's stage_changed_at when given, else the first snapshot seen in the stage.
        coalesce(
            cast(stage_changed_at as date),
            min(valid_from) over (partition by opportunity_id, stage_run_number)
        ) as stage_entered_date

    from runs

),

final as (

    select
        opportunity_id || '@' || {{ format_date('valid_from', '%Y-%m-%d') }}
            as opportunity_interval_id,
        opportunity_id,
        customer_id,
        owner_rep_id,
        product_line,
        stage,
        previous_stage,
        status,
        lost_reason,
        case stage
            when 'initial_contact' then 1
            when 'proposal' then 2
            when 'negotiation' then 3
            when 'closing' then 4
            when 'won' then 5
            when 'lost' then 6
        end as stage_order,
        cast(stage_run_number as integer) as stage_run_number,
        snapshot_count,
        amount,
        case stage
            when 'initial_contact' then 0.10
            when 'proposal' then 0.30
            when 'negotiation' then 0.60
            when 'closing' then 0.80
            when 'won' then 1.00
            else 0.00
        end as stage_weight,
        cast(last_seen_date - stage_entered_date as integer) as days_in_stage,
        previous_stage is not null and previous_stage <> stage as is_stage_change,
        status = 'open' as is_open,
        is_latest_snapshot,
        valid_from,
        valid_to,
        last_seen_date,
        stage_entered_date,
        expected_close_date,
        created_at,
        stage_changed_at,
        closed_at,
        _file_id,
        _row_number

    from stage_entries

)

select * from final
