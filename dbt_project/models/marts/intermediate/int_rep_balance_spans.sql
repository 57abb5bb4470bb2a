-- The balances of int_rep_balances_measured_on_days as spans of days over which they hold: an
-- open opportunity's state interval (its pipeline, credited to the owner's team day by day
-- there), and an overdue receivable's outstanding amount between two changes (the day after it
-- falls due, each later payment). span_to is exclusive; null while the span still holds, so a
-- span that did not change is the same row from one day to the next (the day fingerprints
-- compare them: int_rep_balance_day_fingerprints).
with

opportunities as (

    select * from {{ ref('fct_opportunity_history') }}

),

receivables as (

    select * from {{ ref('fct_receivables') }}

),

allocations as (

    select * from {{ ref('int_payments_allocated_to_receivables') }}

),

-- A state holds from its first snapshot until the next change; the current one holds until a
-- later export says otherwise.
pipeline_spans as (

    select
        'pipeline' as balance_kind,
        opportunity_id as source_id,
        owner_rep_id as rep_id,
        cast(null as {{ dbt.type_string() }}) as team_id,
        cast(null as {{ dbt.type_string() }}) as region,
        product_line,
        valid_from as span_from,
        valid_to as span_to,
        -- Each amount's type written out (DuckDB's for the expressions), the same in both
        -- branches: Postgres would otherwise make the union's column a numeric of no scale.
        cast(amount as decimal(18, 4)) as open_pipeline,
        cast(amount * stage_weight as decimal(20, 6)) as weighted_pipeline,
        1 as open_opportunities,
        cast(null as decimal(38, 4)) as overdue_receivables

    from opportunities
    where is_open and valid_from <= {{ as_of_date() }}

),

open_receivables as (

    select * from receivables
    where not is_order_cancelled and due_date < {{ as_of_date() }}

),

-- A receivable's balance changes the day after it falls due and on each later payment.
balance_changes as (

    select
        receivable_id,
        cast(due_date + 1 as date) as change_date

    from open_receivables

    union

    select
        open_receivables.receivable_id,
        allocations.received_date as change_date

    from open_receivables
    inner join allocations
        on open_receivables.receivable_id = allocations.receivable_id
    where
        allocations.received_date > open_receivables.due_date + 1
        and allocations.received_date <= {{ as_of_date() }}

),

paid_by_change as (

    select
        balance_changes.receivable_id,
        balance_changes.change_date,
        coalesce(sum(allocations.allocated_amount), 0) as paid_amount

    from balance_changes
    left join allocations
        on
            balance_changes.receivable_id = allocations.receivable_id
            and balance_changes.change_date >= allocations.received_date
    group by balance_changes.receivable_id, balance_changes.change_date

),

-- 逾期应收 is attributed like the order it belongs to (owner and team as of signed date).
overdue_spans as (

    select
        'overdue' as balance_kind,
        paid_by_change.receivable_id as source_id,
        open_receivables.owner_rep_id as rep_id,
        open_receivables.team_id,
        open_receivables.region,
        open_receivables.product_line,
        paid_by_change.change_date as span_from,
        lead(paid_by_change.change_date) over (
            partition by paid_by_change.receivable_id order by paid_by_change.change_date
        ) as span_to,
        cast(null as decimal(18, 4)) as open_pipeline,
        cast(null as decimal(20, 6)) as weighted_pipeline,
        cast(null as integer) as open_opportunities,
        cast(
            greatest(open_receivables.amount_due - paid_by_change.paid_amount, 0) as decimal(38, 4)
        ) as overdue_receivables

    from paid_by_change
    inner join open_receivables
        on paid_by_change.receivable_id = open_receivables.receivable_id

),

spans as (

    select * from pipeline_spans
    union all
    select * from overdue_spans
    where overdue_receivables > 0

),

final as (

    select
        *,
        -- What the span holds, but not how long: a span extended by a day keeps its hash.
        {{ hash_of([
            'balance_kind', 'source_id', 'rep_id', 'team_id', 'region', 'product_line',
            'span_from', 'open_pipeline', 'weighted_pipeline', 'open_opportunities',
            'overdue_receivables'
        ]) }} as state_hash

    from spans

)

select * from final
