{#-
    Findings on CRM and report records (SPEC §4), one row each, before ids and severities are
    added in dq_anomalies: dates in the future, references to reps, customers or receivables
    nobody knows, and payments above what is due.
-#}
{%- set as_of = as_of_date() -%}
with

all_submissions as (

    select * from {{ ref('int_report_submissions_unioned') }}

),

daily_submissions as (

    select * from {{ ref('stg_raw__daily_report_submissions') }}

),

weekly_submissions as (

    select * from {{ ref('stg_raw__weekly_report_submissions') }}

),

orders as (

    select * from {{ ref('int_orders_rolled_up_from_lines') }}

),

customers as (

    select * from {{ ref('stg_raw__customers') }}

),

opportunity_rows as (

    select * from {{ ref('stg_raw__opportunity_lineage') }}

),

receivables as (

    select * from {{ ref('fct_receivables') }}

),

payments as (

    select * from {{ ref('stg_raw__payments') }}

),

allocations as (

    select * from {{ ref('int_payments_allocated_to_receivables') }}

),

action_items as (

    select * from {{ ref('stg_raw__action_items') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

submitted_reports as (

    select distinct
        report_type,
        rep_id,
        period_start

    from all_submissions

),

known_reps as (

    select distinct rep_id from reps

),

-- 未来日期: a date after both the as-of date and the day the row was loaded. Legitimately
-- future dates (receivable due dates, expected close dates, action item due dates) are not
-- checked.
--
-- An opportunity snapshot is checked as the latest file has it. Ranking every raw snapshot row
-- for that (12.6 M rows at the L org) cost more than the rest of the findings together, so only
-- the snapshots that some raw row dates in the future are ranked: a snapshot none of whose rows
-- holds a future date cannot yield a finding, whichever row wins.
opportunity_snapshots_with_future_rows as (

    select distinct
        opportunity_id,
        snapshot_date

    from opportunity_rows
    where
        greatest(
            snapshot_date,
            cast(created_at as date),
            cast(stage_changed_at as date),
            cast(closed_at as date)
        ) > greatest({{ as_of }}, cast(_loaded_at as date))

),

opportunity_rows_with_future_rows as (

    select opportunity_rows.*
    from opportunity_rows
    where exists (
        select 1
        from opportunity_snapshots_with_future_rows as future_rows
        where
            opportunity_rows.opportunity_id = future_rows.opportunity_id
            and opportunity_rows.snapshot_date = future_rows.snapshot_date
    )

),

opportunity_snapshots as (

    {{ latest_file_rows('opportunity_rows_with_future_rows', ['opportunity_id', 'snapshot_date']) }}

),

dated_events as (

    select
        'daily_report' as entity_type,
        rep_id || '@' || {{ format_date('report_date', '%Y-%m-%d') }} as entity_id,
        rep_id,
        'report_date' as metric,
        report_date as event_date,
        _loaded_at

    from daily_submissions

    union all

    select
        'daily_report' as entity_type,
        rep_id || '@' || {{ format_date('report_date', '%Y-%m-%d') }} as entity_id,
        rep_id,
        'submitted_at' as metric,
        cast(submitted_at as date) as event_date,
        _loaded_at

    from daily_submissions

    union all

    select
        'weekly_report' as entity_type,
        rep_id || '@' || {{ format_date('week_start', '%G-W%V') }} as entity_id,
        rep_id,
        'week_start' as metric,
        week_start as event_date,
        _loaded_at

    from weekly_submissions

    union all

    select
        'weekly_report' as entity_type,
        rep_id || '@' || {{ format_date('week_start', '%G-W%V') }} as entity_id,
        rep_id,
        'submitted_at' as metric,
        cast(submitted_at as date) as event_date,
        _loaded_at

    from weekly_submissions

    union all

    select
        'order' as entity_type,
        order_id as entity_id,
        owner_rep_id as rep_id,
        'signed_date' as metric,
        signed_date as event_date,
        _loaded_at

    from orders

    union all

    select
        'payment' as entity_type,
        payment_id as entity_id,
        null as rep_id,
        'received_date' as metric,
        received_date as event_date,
        _loaded_at

    from payments

    union all

    select
        'customer' as entity_type,
        customer_id as entity_id,
        owner_rep_id as rep_id,
        'created_at' as metric,
        created_date as event_date,
        _loaded_at

    from customers

    union all

    select
        'opportunity' as entity_type,
        opportunity_id as entity_id,
        owner_rep_id as rep_id,
        {{ pairs_to_rows([
            ["'snapshot_date'", 'snapshot_date'],
            ["'created_at'", 'cast(created_at as date)'],
            ["'stage_changed_at'", 'cast(stage_changed_at as date)'],
            ["'closed_at'", 'cast(closed_at as date)'],
        ], 'metric', 'event_date') }},
        _loaded_at

    from opportunity_snapshots

    union all

    select
        'action_item' as entity_type,
        action_id as entity_id,
        owner_rep_id as rep_id,
        'closed_at' as metric,
        closed_date as event_date,
        _loaded_at

    from action_items

),

future_dates as (

    select
        'future_date' as kind,
        min(rep_id) as rep_id,
        entity_type,
        entity_id,
        metric,
        '未来日期 ' || entity_type || ' ' || entity_id || ': ' || metric || ' '
        || {{ format_date('min(event_date)', '%Y-%m-%d') }} || ' is after the as-of date' as detail,
        min(event_date) as start_date,
        max(event_date) as end_date

    from dated_events
    where event_date > greatest({{ as_of }}, cast(_loaded_at as date))
    group by entity_type, entity_id, metric

),

-- 未知销售人员 / 未知客户: records that name a rep or a customer nobody knows.
unknown_references as (

    select
        'unknown_rep' as kind,
        orders.owner_rep_id as rep_id,
        'order' as entity_type,
        orders.order_id as entity_id,
        'owner_rep_id' as metric,
        '未知销售人员 order ' || orders.order_id || ' belongs to ' || orders.owner_rep_id
        || ', who is not in the roster' as detail,
        orders.signed_date as start_date,
        orders.signed_date as end_date

    from orders
    where
        not exists (
            select 1 from known_reps
            where orders.owner_rep_id = known_reps.rep_id
        )

    union all

    select
        'unknown_rep' as kind,
        reports.rep_id,
        reports.report_type || '_report' as entity_type,
        reports.rep_id || '@' || {{ format_date('reports.period_start', '%Y-%m-%d') }} as entity_id,
        'rep_id' as metric,
        '未知销售人员 ' || reports.report_type || ' report by ' || reports.rep_id
        || ', who is not in the roster' as detail,
        reports.period_start as start_date,
        reports.period_start as end_date

    from submitted_reports as reports
    where
        not exists (
            select 1 from known_reps
            where reports.rep_id = known_reps.rep_id
        )

    union all

    select
        'unknown_rep' as kind,
        customers.owner_rep_id as rep_id,
        'customer' as entity_type,
        customers.customer_id as entity_id,
        'owner_rep_id' as metric,
        '未知销售人员 customer ' || customers.customer_id || ' is owned by '
        || customers.owner_rep_id || ', who is not in the roster' as detail,
        customers.created_date as start_date,
        customers.created_date as end_date

    from customers
    where
        not exists (
            select 1 from known_reps
            where customers.owner_rep_id = known_reps.rep_id
        )
        and customers.owner_rep_id is not null

    union all

    select
        'unknown_customer' as kind,
        orders.owner_rep_id as rep_id,
        'order' as entity_type,
        orders.order_id as entity_id,
        'customer_id' as metric,
        '未知客户 order ' || orders.order_id || ' is for customer ' || orders.customer_id
        || ', who is not in the CRM customers' as detail,
        orders.signed_date as start_date,
        orders.signed_date as end_date

    from orders
    where
        not exists (
            select 1 from customers
            where orders.customer_id = customers.customer_id
        )
        and orders.customer_id is not null

    union all

    select
        'unknown_receivable' as kind,
        null as rep_id,
        'payment' as entity_type,
        payments.payment_id as entity_id,
        'receivable_id' as metric,
        '未知应收 payment ' || payments.payment_id || ' is for receivable '
        || payments.receivable_id || ', which does not exist' as detail,
        payments.received_date as start_date,
        payments.received_date as end_date

    from payments
    where
        not exists (
            select 1 from receivables
            where payments.receivable_id = receivables.receivable_id
        )
        and payments.receivable_id is not null

),

-- 超额回款: what was paid against a receivable exceeds it (payments naming the receivable, and
-- order-level payments allocated to it); order-level money beyond all of an order's
-- receivables is overpayment of the order.
paid_through as (

    select
        allocations.receivable_id,
        allocations.payment_id,
        allocations.received_date,
        receivables.owner_rep_id,
        receivables.team_id,
        receivables.amount_due,
        sum(allocations.allocated_amount) over (
            partition by allocations.receivable_id
            order by allocations.received_date, allocations.payment_id
            rows between unbounded preceding and current row
        ) as amount_paid

    from allocations
    inner join receivables
        on allocations.receivable_id = receivables.receivable_id

),

overpaid_receivables as (

    select
        'payment_exceeds_receivable' as kind,
        {{ any_value('owner_rep_id') }} as rep_id,
        {{ any_value('team_id') }} as team_id,
        'receivable' as entity_type,
        receivable_id as entity_id,
        'amount_paid' as metric,
        '超额回款 receivable ' || receivable_id || ' of '
        || {{ fixed_text(any_value('amount_due'), 2) }}
        || ' was paid ' || {{ fixed_text('max(amount_paid)', 2) }} || ' (payment '
        || {{ arg_min('payment_id', 'case when amount_paid > amount_due then received_date end') }}
        || ' exceeded it)' as detail,
        cast(max(amount_paid) as {{ type_double() }}) as measured_value,
        cast({{ any_value('amount_due') }} as {{ type_double() }}) as threshold_value,
        min(case when amount_paid > amount_due then received_date end) as start_date,
        max(received_date) as end_date

    from paid_through
    group by receivable_id
    having max(amount_paid) > {{ any_value('amount_due') }}

),

order_level_allocated as (

    select
        receivables.order_id,
        sum(allocations.allocated_amount) as amount

    from allocations
    inner join receivables
        on allocations.receivable_id = receivables.receivable_id
    where allocations.is_order_level
    group by receivables.order_id

),

order_level_excess as (

    select
        'payment_exceeds_receivable' as kind,
        'order' as entity_type,
        payments.order_id as entity_id,
        'amount_paid' as metric,
        '超额回款 order ' || payments.order_id || ': '
        || {{ fixed_text(
            "sum(payments.amount_received) - coalesce(" ~ any_value('allocated.amount') ~ ", 0)", 2
        ) }}
        || ' paid beyond its receivables' as detail,
        cast(sum(payments.amount_received) as {{ type_double() }}) as measured_value,
        cast(coalesce({{ any_value('allocated.amount') }}, 0) as {{ type_double() }})
            as threshold_value,
        min(payments.received_date) as start_date,
        max(payments.received_date) as end_date

    from payments
    left join order_level_allocated as allocated
        on payments.order_id = allocated.order_id
    where payments.receivable_id is null and payments.order_id is not null
    group by payments.order_id
    having sum(payments.amount_received) > coalesce({{ any_value('allocated.amount') }}, 0)

),

final as (

    {{ union_by_name([
        ['future_dates', [
            'kind', 'rep_id', 'entity_type', 'entity_id', 'metric', 'detail', 'start_date',
            'end_date'
        ]],
        ['unknown_references', [
            'kind', 'rep_id', 'entity_type', 'entity_id', 'metric', 'detail', 'start_date',
            'end_date'
        ]],
        ['overpaid_receivables', [
            'kind', 'rep_id', 'team_id', 'entity_type', 'entity_id', 'metric', 'detail',
            'measured_value', 'threshold_value', 'start_date', 'end_date'
        ]],
        ['order_level_excess', [
            'kind', 'entity_type', 'entity_id', 'metric', 'detail', 'measured_value',
            'threshold_value', 'start_date', 'end_date'
        ]]
    ]) }}

)

select * from final
