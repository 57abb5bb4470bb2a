-- What each KPI mart's rows of a period are computed from, as one fingerprint per entity, grain
-- and period: the marts rebuild a period when its fingerprint changed since they last built it
-- (macros/kpi_incremental.sql). A fingerprint covers everything macros/kpi_mart.sql reads for
-- the period: its row of int_kpi_periods; the additive base on the days of the period, of the
-- period before it and of the period a year earlier (growth rates compare with them); the
-- balances on the day it is measured through; the targets of its level and grain; and the
-- roster, team names, teams, products and first opportunity snapshot every period reads.
-- Each input is summed as 64-bit row hashes, so a changed, added or removed row changes it.
with

activity as (

    select * from {{ ref('int_rep_activity_attributed_to_days') }}

),

balances as (

    select * from {{ ref('int_rep_balances_measured_on_days') }}

),

periods as (

    select * from {{ ref('int_kpi_periods') }}

),

targets as (

    select * from {{ ref('int_sales_targets_spread_to_periods') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

team_names as (

    select * from {{ ref('int_team_names_spanned') }}

),

teams as (

    select * from {{ ref('dim_teams') }}

),

products as (

    select * from {{ ref('dim_products') }}

),

opportunities as (

    select * from {{ ref('fct_opportunity_history') }}

),

activity_days as (

    select
        date_day,
        sum(cast({{ hash_of([whole_row('activity')]) }} as {{ hash_sum_type() }})) as activity_hash

    from activity
    group by date_day

),

balance_days as (

    select
        date_day,
        sum(cast({{ hash_of([whole_row('balances')]) }} as {{ hash_sum_type() }})) as balance_hash

    from balances
    group by date_day

),

-- The base's days grouped into each grain's periods, as the marts group them.
activity_periods as (

    {%- for grain in ['day', 'week', 'month', 'quarter', 'year'] %}

        select
            '{{ grain }}' as grain,
            {{ kpi_period_start(grain, 'date_day') }} as period_start,
            sum(activity_hash) as activity_hash

        from activity_days
        group by {{ kpi_period_start(grain, 'date_day') }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

target_periods as (

    select
        level,
        grain,
        period_start,
        sum(cast({{ hash_of([whole_row('targets')]) }} as {{ hash_sum_type() }})) as target_hash

    from targets
    group by level, grain, period_start

),

shared_sums as (

    select
        {%- for relation in ['reps', 'assignments', 'team_names', 'teams', 'products'] %}
            (
                select sum(cast({{ hash_of([whole_row(relation)]) }} as {{ hash_sum_type() }}))
                from {{ relation }}
            ) as {{ relation }}_hash,
        {%- endfor %}
        (select min(opportunities.valid_from) from opportunities) as first_valid_from

),

-- What every period reads, whatever its dates.
shared as (

    select
        {{ hash_of([
            'reps_hash', 'assignments_hash', 'team_names_hash', 'teams_hash', 'products_hash',
            'first_valid_from'
        ]) }} as shared_hash

    from shared_sums

),

-- Every KPI mart's entity and grain (dbt_project/kpis.yml).
marts as (

    {%- for name in kpi_catalog()['marts'] %}
        {%- set entity, grain = name.split('/') %}

        select
            '{{ entity }}' as entity,
            '{{ grain }}' as grain
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

final as (

    select
        marts.entity,
        marts.grain,
        periods.period_start,
        -- periods: the period's whole row, as a struct.
        {{ hash_of([
            whole_row('periods'),
            'current_period.activity_hash',
            'previous_period.activity_hash',
            'year_ago.activity_hash',
            'balance_days.balance_hash',
            'target_periods.target_hash',
            'shared.shared_hash'
        ]) }} as fingerprint

    from marts
    inner join periods
        on marts.grain = periods.grain
    cross join shared
    left join activity_periods as current_period
        on
            periods.grain = current_period.grain
            and periods.period_start = current_period.period_start
    left join activity_periods as previous_period
        on
            periods.grain = previous_period.grain
            and periods.previous_period_start = previous_period.period_start
    left join activity_periods as year_ago
        on
            periods.grain = year_ago.grain
            and periods.year_ago_period_start = year_ago.period_start
    left join balance_days
        on periods.measured_through_date = balance_days.date_day
    left join target_periods
        on
            marts.entity = target_periods.level
            and periods.grain = target_periods.grain
            and periods.period_start = target_periods.period_start

)

select * from final
