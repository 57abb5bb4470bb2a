-- Balances as of each day up to the as-of date, per rep, team, region and product line:
-- the open pipeline (在手商机) from the latest opportunity snapshot on or before the day, and
-- overdue receivables (逾期应收). The KPI marts read them on a period's last day (or the as-of
-- date): they add up across reps, teams and regions, never across days.
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

dates as (

    select * from {{ ref('dim_dates') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

-- A state holds from its first snapshot until the next change; the current one holds until a
-- later export says otherwise.
open_snapshot_spans as (

    select
        owner_rep_id,
        product_line,
        amount,
        stage_weight,
        valid_from as span_from,
        coalesce(valid_to, {{ as_of_date() }} + 1) as span_to

    from opportunities
    where is_open and valid_from <= {{ as_of_date() }}

),

-- Pipeline belongs to the owner's team and region on the day it is measured.
pipeline as (

    select
        open_snapshot_spans.owner_rep_id as rep_id,
        assignments.team_id,
        assignments.region,
        open_snapshot_spans.product_line,
        dates.date_day,
        open_snapshot_spans.amount as open_pipeline,
        open_snapshot_spans.amount * open_snapshot_spans.stage_weight as weighted_pipeline,
        1 as open_opportunities

    from open_snapshot_spans
    inner join dates
        on
            open_snapshot_spans.span_from <= dates.date_day
            and open_snapshot_spans.span_to > dates.date_day
            and dates.date_day <= {{ as_of_date() }}
    left join assignments
        on
            open_snapshot_spans.owner_rep_id = assignments.rep_id
            and dates.date_day >= assignments.span_from
            and dates.date_day < assignments.span_to

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

balance_spans as (

    select
        paid_by_change.receivable_id,
        paid_by_change.change_date as span_from,
        coalesce(
            lead(paid_by_change.change_date) over (
                partition by paid_by_change.receivable_id order by paid_by_change.change_date
            ),
            {{ as_of_date() }} + 1
        ) as span_to,
        greatest(open_receivables.amount_due - paid_by_change.paid_amount, 0)
            as outstanding_amount,
        open_receivables.owner_rep_id,
        open_receivables.team_id,
        open_receivables.region,
        open_receivables.product_line

    from paid_by_change
    inner join open_receivables
        on paid_by_change.receivable_id = open_receivables.receivable_id

),

-- 逾期应收 is attributed like the order it belongs to (owner and team as of signed date).
overdue as (

    select
        balance_spans.owner_rep_id as rep_id,
        balance_spans.team_id,
        balance_spans.region,
        balance_spans.product_line,
        dates.date_day,
        balance_spans.outstanding_amount as overdue_receivables

    from balance_spans
    inner join dates
        on
            balance_spans.span_from <= dates.date_day
            and balance_spans.span_to > dates.date_day
            and dates.date_day <= {{ as_of_date() }}
    where balance_spans.outstanding_amount > 0

),

balances as (

    select * from pipeline
    union all by name
    select * from overdue

),

final as (

    select
        rep_id,
        team_id,
        region,
        product_line,
        cast(coalesce(sum(open_pipeline), 0) as decimal(18, 4)) as open_pipeline,
        cast(coalesce(sum(weighted_pipeline), 0) as decimal(18, 4)) as weighted_pipeline,
        cast(coalesce(sum(open_opportunities), 0) as bigint) as open_opportunities,
        cast(coalesce(sum(overdue_receivables), 0) as decimal(18, 4)) as overdue_receivables,
        date_day

    from balances
    group by rep_id, team_id, region, product_line, date_day

)

select * from final
