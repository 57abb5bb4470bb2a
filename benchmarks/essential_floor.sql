-- The essential work of the KPI marts, hand-written as one query over the raw tables: what no
-- pipeline can avoid doing (latest version of each record, attribution to the rep's team on the
-- event's date, sums per rep and month). `make bench` times it beside the dbt step; it is a
-- floor, not a replacement: no quality marts, no targets, no balances, no tests.
-- Parameters: $as_of (the as-of date), $max_visits (SALESPULSE_MAX_DAILY_VISITS).
with

roster as (

    select
        rep_id,
        team_id,
        region,
        -- The first assignment also covers events before it, as the marts attribute them.
        case
            when row_number() over (partition by rep_id order by effective_from) = 1 then date '1900-01-01'
            else effective_from
        end as effective_from,
        coalesce(
            lead(effective_from) over (partition by rep_id order by effective_from), date '9999-12-31'
        ) as effective_to
    from raw.roster
    qualify
        row_number() over (partition by rep_id, effective_from order by _file_id desc, _row_number desc) = 1

),

order_lines as (

    select
        owner_rep_id as rep_id,
        signed_date as event_day,
        amount,
        status
    from raw.orders
    qualify _file_id = max(_file_id) over (partition by order_id)

),

reports as (

    select
        rep_id,
        report_date as event_day,
        visits,
        calls
    from raw.daily_reports
    qualify row_number() over (
        partition by rep_id, report_date order by _file_id desc, submitted_at desc, _row_number desc
    ) = 1

),

deals as (

    select
        owner_rep_id as rep_id,
        cast(closed_at as date) as event_day,
        amount,
        status
    from raw.opportunities
    qualify row_number() over (
        partition by opportunity_id order by snapshot_date desc, _file_id desc, _row_number desc
    ) = 1

),

events as (

    select
        rep_id,
        event_day,
        amount as sales_amount,
        0 as visits,
        0 as calls,
        0 as won_amount
    from order_lines
    where status <> 'cancelled' and event_day <= $as_of
    union all
    select
        rep_id,
        event_day,
        0 as sales_amount,
        case when visits <= $max_visits then visits else 0 end as visits,
        calls,
        0 as won_amount
    from reports
    where event_day <= $as_of
    union all
    select
        rep_id,
        event_day,
        0 as sales_amount,
        0 as visits,
        0 as calls,
        amount as won_amount
    from deals
    where status = 'won' and event_day <= $as_of

)

select
    roster.team_id,
    events.rep_id,
    date_trunc('month', events.event_day) as month_start,
    sum(events.sales_amount) as sales_amount,
    sum(events.visits) as visits,
    sum(events.calls) as calls,
    sum(events.won_amount) as won_amount
from events
inner join roster
    on
        events.rep_id = roster.rep_id
        and events.event_day >= roster.effective_from and events.event_day < roster.effective_to
group by all
