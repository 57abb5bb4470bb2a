-- Sales targets (销售额目标) per level, entity and period of every grain, from the resolved
-- month targets (int_sales_targets_resolved_to_months):
-- - a day or an ISO week gets month target x (its working days inside the month / working
--   days of the month), summed over the months it touches;
-- - a month its month target;
-- - a quarter its explicit quarter target, else the sum of its months; a year the sum of its
--   quarters.
with

months as (

    select * from {{ ref('int_sales_targets_resolved_to_months') }}

),

targets as (

    select * from {{ ref('fct_targets') }}
    where metric = 'sales_amount'

),

dates as (

    select * from {{ ref('dim_dates') }}

),

explicit_quarters as (

    select
        level,
        entity_id,
        period_start as quarter_start,
        target_value as target_amount

    from targets
    where period_grain = 'quarter'

),

-- Each working day carries its share of the month target; other days carry 0.
days as (

    select
        months.level,
        months.entity_id,
        'day' as grain,
        dates.date_day as period_start,
        case
            when dates.is_workday then months.target_amount / dates.workdays_in_month
            else 0
        end as target_amount,
        'month' as target_source

    from months
    inner join dates
        on months.month_start = dates.month_start

),

weeks as (

    select
        days.level,
        days.entity_id,
        'week' as grain,
        dates.iso_week_start as period_start,
        sum(days.target_amount) as target_amount,
        'months' as target_source

    from days
    inner join dates
        on days.period_start = dates.date_day
    group by days.level, days.entity_id, dates.iso_week_start

),

quarters_from_months as (

    select
        level,
        entity_id,
        cast(date_trunc('quarter', month_start) as date) as quarter_start,
        sum(target_amount) as target_amount

    from months
    group by level, entity_id, cast(date_trunc('quarter', month_start) as date)

),

company_explicit_quarters as (

    select
        'company' as level,
        'company' as entity_id,
        quarter_start,
        sum(target_amount) as target_amount

    from explicit_quarters
    where level = 'company'
    group by quarter_start

),

explicit_quarters_by_entity as (

    select
        level,
        entity_id,
        quarter_start,
        target_amount
    from explicit_quarters
    where level <> 'company'
    union all
    select
        level,
        entity_id,
        quarter_start,
        target_amount
    from company_explicit_quarters

),

quarters as (

    select
        coalesce(explicit_quarters_by_entity.level, quarters_from_months.level) as level,
        coalesce(explicit_quarters_by_entity.entity_id, quarters_from_months.entity_id)
            as entity_id,
        'quarter' as grain,
        coalesce(explicit_quarters_by_entity.quarter_start, quarters_from_months.quarter_start)
            as period_start,
        coalesce(explicit_quarters_by_entity.target_amount, quarters_from_months.target_amount)
            as target_amount,
        case when explicit_quarters_by_entity.level is null then 'months' else 'explicit' end
            as target_source

    from explicit_quarters_by_entity
    full outer join quarters_from_months
        on
            explicit_quarters_by_entity.level = quarters_from_months.level
            and explicit_quarters_by_entity.entity_id = quarters_from_months.entity_id
            and explicit_quarters_by_entity.quarter_start = quarters_from_months.quarter_start

),

years as (

    select
        level,
        entity_id,
        'year' as grain,
        cast(date_trunc('year', period_start) as date) as period_start,
        sum(target_amount) as target_amount,
        'quarters' as target_source

    from quarters
    group by level, entity_id, cast(date_trunc('year', period_start) as date)

),

spread as (

    select * from days
    union all
    select * from weeks
    union all
    select
        level,
        entity_id,
        'month' as grain,
        month_start as period_start,
        target_amount,
        target_source
    from months
    union all
    select * from quarters
    union all
    select * from years

),

final as (

    select
        level || ':' || entity_id || ':' || grain || ':'
        || {{ format_date('period_start', '%Y-%m-%d') }} as target_period_id,
        level,
        entity_id,
        grain,
        target_source,
        cast(round(target_amount, 2) as decimal(18, 4)) as target_amount,
        period_start

    from spread

)

select * from final
