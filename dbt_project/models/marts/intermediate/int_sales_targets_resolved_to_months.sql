-- Month sales targets (月度销售额目标) per level (rep, team, region, company) and entity, after
-- approved adjustments (fct_targets). A rep has only explicit targets. A team without an
-- explicit month target gets the sum of its reps' targets, each rep's month target spread
-- evenly over the month's working days and credited to the team the rep was in on each of them
-- (a mid-month mover's target splits like the mover's sales); a region without one gets the sum
-- of its teams', the company the sum of its regions'.
with

targets as (

    select * from {{ ref('fct_targets') }}
    where metric = 'sales_amount'

),

dates as (

    select * from {{ ref('dim_dates') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

explicit_months as (

    select
        level,
        entity_id,
        period_start as month_start,
        target_value as target_amount

    from targets
    where period_grain = 'month'

),

team_explicit_months as (

    select * from explicit_months
    where level = 'team'

),

region_explicit_months as (

    select * from explicit_months
    where level = 'region'

),

rep_months as (

    select
        entity_id,
        month_start,
        target_amount,
        'explicit' as target_source

    from explicit_months
    where level = 'rep'

),

rep_workdays_in_teams as (

    select
        assignments.team_id,
        rep_months.month_start,
        rep_months.target_amount / dates.workdays_in_month as day_target_amount

    from rep_months
    inner join dates
        on
            rep_months.month_start = dates.month_start
            and dates.is_workday
    inner join assignments
        on
            rep_months.entity_id = assignments.rep_id
            and dates.date_day >= assignments.span_from
            and dates.date_day < assignments.span_to

),

team_months_from_reps as (

    select
        team_id as entity_id,
        month_start,
        sum(day_target_amount) as target_amount

    from rep_workdays_in_teams
    group by team_id, month_start

),

team_months as (

    select
        coalesce(team_explicit_months.entity_id, team_months_from_reps.entity_id) as entity_id,
        coalesce(team_explicit_months.month_start, team_months_from_reps.month_start)
            as month_start,
        coalesce(team_explicit_months.target_amount, team_months_from_reps.target_amount)
            as target_amount,
        case when team_explicit_months.entity_id is null then 'reps' else 'explicit' end
            as target_source

    from team_explicit_months
    full outer join team_months_from_reps
        on
            team_explicit_months.entity_id = team_months_from_reps.entity_id
            and team_explicit_months.month_start = team_months_from_reps.month_start

),

region_months_from_teams as (

    select
        teams.region as entity_id,
        team_months.month_start,
        sum(team_months.target_amount) as target_amount

    from team_months
    inner join teams
        on team_months.entity_id = teams.team_id
    group by teams.region, team_months.month_start

),

region_months as (

    select
        coalesce(region_explicit_months.entity_id, region_months_from_teams.entity_id) as entity_id,
        coalesce(region_explicit_months.month_start, region_months_from_teams.month_start)
            as month_start,
        coalesce(region_explicit_months.target_amount, region_months_from_teams.target_amount)
            as target_amount,
        case when region_explicit_months.entity_id is null then 'teams' else 'explicit' end
            as target_source

    from region_explicit_months
    full outer join region_months_from_teams
        on
            region_explicit_months.entity_id = region_months_from_teams.entity_id
            and region_explicit_months.month_start = region_months_from_teams.month_start

),

-- The company is one entity, whatever id the targets file gives it.
company_explicit_months as (

    select
        month_start,
        sum(target_amount) as target_amount

    from explicit_months
    where level = 'company'
    group by month_start

),

company_months_from_regions as (

    select
        month_start,
        sum(target_amount) as target_amount

    from region_months
    group by month_start

),

company_months as (

    select
        'company' as entity_id,
        coalesce(company_explicit_months.month_start, company_months_from_regions.month_start)
            as month_start,
        coalesce(
            company_explicit_months.target_amount, company_months_from_regions.target_amount
        ) as target_amount,
        case when company_explicit_months.month_start is null then 'regions' else 'explicit' end
            as target_source

    from company_explicit_months
    full outer join company_months_from_regions
        on company_explicit_months.month_start = company_months_from_regions.month_start

),

months as (

    select
        'rep' as level,
        entity_id,
        month_start,
        target_amount,
        target_source
    from rep_months
    union all
    select
        'team' as level,
        entity_id,
        month_start,
        target_amount,
        target_source
    from team_months
    union all
    select
        'region' as level,
        entity_id,
        month_start,
        target_amount,
        target_source
    from region_months
    union all
    select
        'company' as level,
        entity_id,
        month_start,
        target_amount,
        target_source
    from company_months

),

final as (

    select
        level || ':' || entity_id || ':' || {{ format_date('month_start', '%Y-%m') }}
            as target_month_id,
        level,
        entity_id,
        target_source,
        cast(round(target_amount, 2) as decimal(18, 4)) as target_amount,
        month_start

    from months

)

select * from final
