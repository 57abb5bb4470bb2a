-- Balances as of each day up to the as-of date, per rep, team, region and product line:
-- the open pipeline (在手商机) from the latest opportunity snapshot on or before the day, and
-- overdue receivables (逾期应收). The KPI marts read them on a period's last day (or the as-of
-- date): they add up across reps, teams and regions, never across days.
--
-- Incremental by day (macros/kpi_incremental.sql): a run computes the days whose fingerprint in
-- int_rep_balance_day_fingerprints changed since the last build (the new day, and the days a new
-- snapshot, payment, correction or roster change touched) and keeps the others.
-- depends_on: {{ ref('int_rep_balance_day_fingerprints') }}
{{
    config(
        materialized=incremental_materialization(),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ forget_changed_periods(balance_day_fingerprints()) }}",
            "{{ delete_unbuilt_periods('date_day') }}",
        ],
        post_hook=["{{ record_built_periods(balance_day_fingerprints()) }}"],
    )
}}

with

spans as (

    select * from {{ ref('int_rep_balance_spans') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

-- The days this build computes: every day up to the as-of date, or those not kept as built.
dates as (

    select * from {{ ref('dim_dates') }}
    where date_day <= {{ as_of_date() }}
    {%- if is_incremental() %}
        and date_day not in ({{ built_periods() }})
    {%- endif %}

),

days_held as (

    select
        spans.*,
        dates.date_day

    from spans
    inner join dates
        on
            spans.span_from <= dates.date_day
            and coalesce(spans.span_to, {{ as_of_date() }} + 1) > dates.date_day

),

-- Pipeline belongs to the owner's team and region on the day it is measured; a receivable keeps
-- the team of its order.
attributed as (

    select
        days_held.rep_id,
        case
            when days_held.balance_kind = 'pipeline' then assignments.team_id
            else days_held.team_id
        end as team_id,
        case
            when days_held.balance_kind = 'pipeline' then assignments.region
            else days_held.region
        end as region,
        days_held.product_line,
        days_held.date_day,
        days_held.open_pipeline,
        days_held.weighted_pipeline,
        days_held.open_opportunities,
        days_held.overdue_receivables

    from days_held
    left join assignments
        on
            days_held.balance_kind = 'pipeline'
            and days_held.rep_id = assignments.rep_id
            and days_held.date_day >= assignments.span_from
            and days_held.date_day < assignments.span_to

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

    from attributed
    group by rep_id, team_id, region, product_line, date_day

)

select * from final
