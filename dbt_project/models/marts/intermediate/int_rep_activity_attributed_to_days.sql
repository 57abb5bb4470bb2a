-- The additive base of every KPI mart: one row per rep, team, region, product line and day
-- with the day's flows (sales, orders, new customers, leads, won and lost opportunities,
-- receivables due and what was collected on them, reports). Each event is attributed to its
-- rep and to the rep's team and region *as of the event's date*, so a rep who moves team does
-- not take past events along; rep, team, region, product and company marts all sum these
-- rows, which is what makes their totals reconcile. Events after the as-of date are left out,
-- except receivables, which count in the period they fall due.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}

),

customers as (

    select * from {{ ref('dim_customers') }}

),

opportunities as (

    select * from {{ ref('fct_opportunity_history') }}

),

receivables as (

    select * from {{ ref('fct_receivables') }}

),

allocations as (

    select * from {{ ref('int_payments_allocated_to_receivables') }}

),

daily_reports as (

    select * from {{ ref('fct_daily_reports') }}

),

submissions as (

    select * from {{ ref('int_reports_judged_against_deadlines') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

signed_orders as (

    select * from orders
    where not is_cancelled and signed_date <= {{ as_of_date() }}

),

-- Sales by order line (a line carries its own product line); an order counts once, on the
-- line fct_order_lines marks.
sales as (

    select
        owner_rep_id as rep_id,
        team_id,
        region,
        product_line,
        signed_date as date_day,
        amount as sales_amount,
        case when is_order_count_line then 1 else 0 end as orders_count

    from order_lines
    where not is_cancelled and signed_date <= {{ as_of_date() }}

),

signed_customers as (

    select
        customer_id,
        order_id,
        owner_rep_id as rep_id,
        team_id,
        region,
        product_line,
        signed_date as date_day

    from signed_orders

),

first_signed as (

    {{ first_row('signed_customers', ['customer_id'], ['date_day asc', 'order_id asc']) }}

),

-- 新签客户: a customer's first non-cancelled order, credited to that order's owner.
new_customers as (

    select
        rep_id,
        team_id,
        region,
        product_line,
        date_day,
        1 as new_customers

    from first_signed

),

-- CRM leads (新增潜在客户): customers created on the day, converted when they have a
-- non-cancelled order by the as-of date.
crm_leads as (

    select
        customers.owner_rep_id as rep_id,
        assignments.team_id,
        assignments.region,
        customers.created_date as date_day,
        1 as crm_new_leads,
        case
            when customers.first_order_date <= {{ as_of_date() }} then 1 else 0
        end as crm_leads_converted

    from customers
    left join assignments
        on
            customers.owner_rep_id = assignments.rep_id
            and customers.created_date >= assignments.span_from
            and customers.created_date < assignments.span_to
    where customers.created_date <= {{ as_of_date() }}

),

-- Won and lost opportunities, from each opportunity's latest snapshot, by closing date.
closed_opportunities as (

    select
        opportunities.owner_rep_id as rep_id,
        assignments.team_id,
        assignments.region,
        opportunities.product_line,
        cast(opportunities.closed_at as date) as date_day,
        case when opportunities.status = 'won' then opportunities.amount else 0 end
            as won_amount,
        case when opportunities.status = 'won' then 1 else 0 end as won_count,
        case when opportunities.status = 'lost' then 1 else 0 end as lost_count

    from opportunities
    left join assignments
        on
            opportunities.owner_rep_id = assignments.rep_id
            and cast(opportunities.closed_at as date) >= assignments.span_from
            and cast(opportunities.closed_at as date) < assignments.span_to
    where
        opportunities.is_latest_snapshot
        and opportunities.status in ('won', 'lost')
        and cast(opportunities.closed_at as date) <= {{ as_of_date() }}

),

collected_by_as_of as (

    select
        receivable_id,
        sum(allocated_amount) as collected_amount

    from allocations
    where received_date <= {{ as_of_date() }}
    group by receivable_id

),

-- 回款: receivables due on the day (also after the as-of date) and what was paid against
-- them by the as-of date, attributed like their order (owner and team as of signed date).
collections as (

    select
        receivables.owner_rep_id as rep_id,
        receivables.team_id,
        receivables.region,
        receivables.product_line,
        receivables.due_date as date_day,
        receivables.amount_due as receivables_due_amount,
        coalesce(collected_by_as_of.collected_amount, 0) as collected_amount

    from receivables
    left join collected_by_as_of
        on receivables.receivable_id = collected_by_as_of.receivable_id
    -- A receivable whose order has not been loaded yet (finance exported before the CRM) has
    -- no owner: like an order of an unknown rep, it counts once its order arrives.
    where not receivables.is_order_cancelled and receivables.owner_rep_id is not null

),

-- An impossible value (visits above the configured maximum) is left out of the sums, the
-- value only: the report still counts as submitted and its calls and leads count.
activity as (

    select
        rep_id,
        team_id,
        region,
        report_date as date_day,
        case when not is_visits_impossible then visits end as visits,
        calls,
        new_leads as report_new_leads

    from daily_reports
    where report_date <= {{ as_of_date() }}

),

-- Expected daily reports and their status come from the model marts.dq_submissions reads too,
-- so on_time_rate here and dq_submissions can never disagree (same working days, window,
-- deadline, and a report rejected at ingest counts as submitted on time or late by its timestamp).
expected_reports as (

    select
        submissions.rep_id,
        reps.team_id,
        reps.region,
        submissions.period_start as date_day,
        1 as daily_reports_expected,
        case when submissions.status = 'on_time' then 1 else 0 end as daily_reports_on_time

    from submissions
    inner join reps
        on
            submissions.rep_id = reps.rep_id
            and submissions.period_start >= reps.valid_from
            and (reps.valid_to is null or submissions.period_start < reps.valid_to)
    where submissions.report_type = 'daily'

),

events as (

    {{ union_by_name([
        ['sales', [
            'rep_id', 'team_id', 'region', 'product_line', 'date_day', 'sales_amount',
            'orders_count'
        ]],
        ['new_customers', [
            'rep_id', 'team_id', 'region', 'product_line', 'date_day', 'new_customers'
        ]],
        ['crm_leads', [
            'rep_id', 'team_id', 'region', 'date_day', 'crm_new_leads', 'crm_leads_converted'
        ]],
        ['closed_opportunities', [
            'rep_id', 'team_id', 'region', 'product_line', 'date_day', 'won_amount', 'won_count',
            'lost_count'
        ]],
        ['collections', [
            'rep_id', 'team_id', 'region', 'product_line', 'date_day', 'receivables_due_amount',
            'collected_amount'
        ]],
        ['activity', [
            'rep_id', 'team_id', 'region', 'date_day', 'visits', 'calls', 'report_new_leads'
        ]],
        ['expected_reports', [
            'rep_id', 'team_id', 'region', 'date_day', 'daily_reports_expected',
            'daily_reports_on_time'
        ]]
    ]) }}

),

final as (

    select
        rep_id,
        team_id,
        region,
        product_line,
        cast(coalesce(sum(sales_amount), 0) as decimal(18, 4)) as sales_amount,
        cast(coalesce(sum(orders_count), 0) as bigint) as orders_count,
        cast(coalesce(sum(new_customers), 0) as bigint) as new_customers,
        cast(coalesce(sum(crm_new_leads), 0) as bigint) as crm_new_leads,
        cast(coalesce(sum(crm_leads_converted), 0) as bigint) as crm_leads_converted,
        cast(coalesce(sum(won_amount), 0) as decimal(18, 4)) as won_amount,
        cast(coalesce(sum(won_count), 0) as bigint) as won_count,
        cast(coalesce(sum(lost_count), 0) as bigint) as lost_count,
        cast(coalesce(sum(receivables_due_amount), 0) as decimal(18, 4))
            as receivables_due_amount,
        cast(coalesce(sum(collected_amount), 0) as decimal(18, 4)) as collected_amount,
        cast(coalesce(sum(visits), 0) as bigint) as visits,
        cast(coalesce(sum(calls), 0) as bigint) as calls,
        cast(coalesce(sum(report_new_leads), 0) as bigint) as report_new_leads,
        cast(coalesce(sum(daily_reports_expected), 0) as bigint) as daily_reports_expected,
        cast(coalesce(sum(daily_reports_on_time), 0) as bigint) as daily_reports_on_time,
        date_day

    from events
    group by rep_id, team_id, region, product_line, date_day

)

select * from final
