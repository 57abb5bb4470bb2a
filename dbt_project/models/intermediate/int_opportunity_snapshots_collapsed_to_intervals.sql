-- Opportunity history as change intervals: consecutive snapshots of an opportunity in the same
-- state (stage, status, amount, owner, product line, customer, dates, lost reason) collapse into
-- one row, valid from its first snapshot until the next change (valid_to, null for the current
-- state). A CRM exporting every open deal every day stores a copy of unchanged state per day;
-- this keeps a row per change, which is what pipeline-as-of-a-date and stage conversion need.
--
-- Incremental: a run recomputes the opportunities that appear in files registered since its last
-- build (a new snapshot, a late or corrected export), from the earliest date those files hold for
-- them, and nothing else. Their intervals that ended before that date are kept as they are; the
-- last of them is read back as one weighted snapshot, so that a new snapshot in the same state
-- extends it rather than opening an interval. Today's snapshot of a deal open for a year reads
-- one day of raw, not a year; a corrected export of March re-reads the deal from March on.
-- depends_on: {{ ref('stg_raw__ingested_files') }}
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

{%- set snapshot_columns = [
    'opportunity_id', 'customer_id', 'owner_rep_id', 'product_line', 'stage', 'status',
    'lost_reason', 'amount', 'snapshot_date', 'expected_close_date', 'created_at',
    'stage_changed_at', 'closed_at', '_file_id', '_row_number'
] -%}
{%- set interval_columns = [
    'opportunity_id', 'customer_id', 'owner_rep_id', 'product_line', 'stage', 'status',
    'lost_reason', 'amount', 'snapshot_count', 'valid_from', 'valid_to', 'last_seen_date',
    'expected_close_date', 'created_at', 'stage_changed_at', 'closed_at', '_file_id', '_row_number'
] -%}

with

-- Read twice below, and not materialized: DuckDB would otherwise copy every raw row (12.6 M at
-- the L org, 4 GB spilled) where each reader scans only the columns and rows it needs.
raw_rows as {{ cte_not_materialized() }} (

    select * from {{ ref('stg_raw__opportunity_lineage') }}

),

{%- if is_incremental() %}

-- The opportunities to recompute and the first date to recompute them from (every one, from the
-- start, when the model must be rebuilt whole).
changed as (

    select
        opportunity_id,
        min(snapshot_date) as changed_from

    from raw_rows
    where
        {{ needs_full_rebuild(['opportunities']) }}
        or _file_id in ({{ changed_file_ids() }})
    group by opportunity_id

),

built as (

    select built.*
    from {{ this }} as built
    inner join changed
        on built.opportunity_id = changed.opportunity_id

),

-- An interval that ended before the changed date is kept; the others are computed again.
kept as (

    select
        built.*,
        built.valid_from = max(built.valid_from) over (partition by built.opportunity_id) as is_last_kept

    from built
    inner join changed
        on built.opportunity_id = changed.opportunity_id
    where built.last_seen_date < changed.changed_from

),

-- Raw is read again from the first interval computed again (the one that holds the changed date).
reread_from as (

    select
        changed.opportunity_id,
        least(changed.changed_from, min(built.valid_from)) as reread_from

    from changed
    left join built
        on
            changed.opportunity_id = built.opportunity_id
            and built.last_seen_date >= changed.changed_from
    group by changed.opportunity_id, changed.changed_from

),
{%- endif %}

-- The snapshots read (again): every raw row of those deals from those dates (of every deal on a
-- first or full build), the latest file's row winning per deal and date.
snapshots as (

    select
        {% for column in snapshot_columns -%}
            raw_rows.{{ column }},
        {% endfor -%}
        cast(1 as bigint) as snapshot_count,
        raw_rows.snapshot_date as last_seen_date

    from raw_rows
    {%- if is_incremental() %}
    inner join reread_from
        on
            raw_rows.opportunity_id = reread_from.opportunity_id
            and raw_rows.snapshot_date >= reread_from.reread_from
    {%- endif %}

),

latest_snapshots as (

    {{ latest_file_rows('snapshots', ['opportunity_id', 'snapshot_date']) }}

),

-- The read snapshots, after the last kept interval standing for all of its own.
weighted as (

    select * from latest_snapshots
    {%- if is_incremental() %}

    union all

    select
        {%- for column in snapshot_columns %}
        {{ 'valid_from' if column == 'snapshot_date' else column }},
        {%- endfor %}
        snapshot_count,
        last_seen_date

    from kept
    where is_last_kept
    {%- endif %}

),

stated as (

    select
        *,
        {{ row_value([
            'customer_id', 'owner_rep_id', 'product_line', 'stage', 'status', 'lost_reason',
            'amount', 'expected_close_date', 'created_at', 'stage_changed_at', 'closed_at'
        ]) }} as tracked_state

    from weighted

),

changes as (

    select
        *,
        coalesce(
            {{ values_differ(
                'lag(tracked_state) over (partition by opportunity_id order by snapshot_date)',
                'tracked_state'
            ) }},
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
        {{ any_value('customer_id') }} as customer_id,
        {{ any_value('owner_rep_id') }} as owner_rep_id,
        {{ any_value('product_line') }} as product_line,
        {{ any_value('stage') }} as stage,  -- noqa: RF04
        {{ any_value('status') }} as status,
        {{ any_value('lost_reason') }} as lost_reason,
        {{ any_value('amount') }} as amount,
        cast(sum(snapshot_count) as bigint) as snapshot_count,
        min(snapshot_date) as valid_from,
        max(last_seen_date) as last_seen_date,
        {{ any_value('expected_close_date') }} as expected_close_date,
        {{ any_value('created_at') }} as created_at,
        {{ any_value('stage_changed_at') }} as stage_changed_at,
        {{ any_value('closed_at') }} as closed_at,
        -- Lineage of the interval's last snapshot (the row the row-flow audit counts).
        {{ arg_max('_file_id', 'last_seen_date') }} as _file_id,
        {{ arg_max('_row_number', 'last_seen_date') }} as _row_number

    from numbered
    group by opportunity_id, interval_number

),

computed as (

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

),

final as (

    select * from computed
    {%- if is_incremental() %}

    union all

    select {{ interval_columns | join(', ') }} from kept
    where not is_last_kept
    {%- endif %}

)

select * from final
