{#-
    The body of every KPI mart: one row per entity and period of one grain, from the additive
    base int_rep_activity_attributed_to_days (flows, summed over the period) and
    int_rep_balances_measured_on_days (balances, read on the period's last day or the as-of
    date), with the sales target of int_sales_targets_spread_to_periods. Every entity x period
    appears, with zeros where nothing happened.

    entity: rep | team | region | product | company
    grain:  day | week | month | quarter | year

    Only events of reps the roster knows count (team_id is not null): orders of unknown reps are
    a data-quality flag, and leaving them out of every level keeps rep, team, region and company
    totals equal. Product-line marts carry only the measures that have a product line (orders,
    opportunities, receivables) and no target.

    Rep and team marts carry the names beside the ids (rep_name; team_name as of the period's
    measured_through_date), so that nobody joins dim_reps, which has a row per assignment.

    The measures, derived KPIs and growth rates each mart carries, in order, come from the
    declaration dbt_project/kpis.yml (through kpi_catalog(), which `salespulse kpis` writes): this
    macro holds the joins, not the list of KPIs.

    Every mart is incremental by period (macros/kpi_incremental.sql): a run computes only the
    periods whose inputs' fingerprint changed, reading the base only on the days those periods
    and the periods they compare with cover; a full refresh computes them all.
-#}
{% macro kpi_mart(entity, grain) -%}
{%- set mart = kpi_catalog()['marts'][entity ~ '/' ~ grain] -%}
{%- set key = mart['key'] -%}
{%- set has_activity = 'activity' in mart['traits'] -%}
{%- set has_target = 'target' in mart['traits'] -%}
{%- set has_headcount = 'headcount' in mart['traits'] -%}
{%- set period_expr = kpi_period_start(grain, 'date_day') -%}
{%- set key_cols = [key] if key else [] -%}
{#- Measures by their column in the additive bases (`base`, when the mart names it otherwise). -#}
{%- set flow_sums = [] -%}
{%- set balance_sums = [] -%}
{%- set pipeline_balances = [] -%}
{%- set base_types = {} -%}
{%- set growth_of = [] -%}
{%- for col in mart['columns'] -%}
    {%- set base = col.get('base', col['name']) -%}
    {%- if col['kind'] == 'flow' -%}
        {%- do flow_sums.append(base) -%}
        {%- do base_types.update({base: col['data_type']}) -%}
    {%- elif col['kind'] == 'balance' -%}
        {%- do balance_sums.append(base) -%}
        {%- do base_types.update({base: col['data_type']}) -%}
        {%- if col.get('from_first_snapshot') -%}
            {%- do pipeline_balances.append(base) -%}
        {%- endif -%}
    {%- elif col['kind'] == 'growth' and col['of'] not in growth_of -%}
        {%- do growth_of.append(col['of']) -%}
    {%- endif -%}
{%- endfor -%}
{{ config(
    materialized=incremental_materialization(),
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=[
        "{{ forget_changed_periods(kpi_current_fingerprints('" ~ entity ~ "', '" ~ grain ~ "')) }}",
        "{{ delete_unbuilt_periods() }}",
    ],
    post_hook=[
        "{{ record_built_periods(kpi_current_fingerprints('" ~ entity ~ "', '" ~ grain ~ "')) }}",
    ],
) -}}
-- depends_on: {{ ref('int_kpi_period_fingerprints') }}
with

-- The periods this build computes: all of them, or those not kept as built (incremental).
periods as (

    select * from {{ ref('int_kpi_periods') }}
    where
        grain = '{{ grain }}'
        {%- if is_incremental() %}
        and period_start not in ({{ built_periods() }})
        {%- endif %}

),

-- The two large inputs are not materialized: read by several CTEs below, DuckDB would otherwise
-- hold them in memory that cannot spill - materialised, or fanned out to every reader at once,
-- buffering rows for the readers that are not yet reading (kpi_rep_daily of the L org: 5 GB,
-- out of memory at 1 GB and at 3 GB). Each reader scans the table instead: 17 s within 1 GB.
-- An incremental build reads the days of its periods and of the periods they compare with.
activity as {{ cte_not_materialized() }} (

    select * from {{ ref('int_rep_activity_attributed_to_days') }}
    {%- if is_incremental() %}
    where {{ period_expr }} in (
        select period_start from periods
        union
        select previous_period_start from periods
        union
        select year_ago_period_start from periods
    )
    {%- endif %}

),

balances as {{ cte_not_materialized() }} (

    select * from {{ ref('int_rep_balances_measured_on_days') }}
    {%- if is_incremental() %}
    where date_day in (select measured_through_date from periods)
    {%- endif %}

),

pipeline_known as (

    select min(valid_from) as first_snapshot_date from {{ ref('fct_opportunity_history') }}

),
{%- if has_target %}

targets as (

    select * from {{ ref('int_sales_targets_spread_to_periods') }}
    where level = '{{ entity }}' and grain = '{{ grain }}'

),
{%- endif %}
{%- if entity in ('rep', 'team', 'region', 'company') %}

reps as (

    select * from {{ ref('dim_reps') }}

),
{%- endif %}
{%- if entity in ('rep', 'team') %}

team_names as (

    select * from {{ ref('int_team_names_spanned') }}

),
{%- endif %}
{%- if entity == 'rep' %}

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),
{%- elif entity == 'team' %}

teams as (

    select * from {{ ref('dim_teams') }}

),
{%- elif entity == 'product' %}

products as (

    select * from {{ ref('dim_products') }}

),
{%- endif %}

-- Events of reps the roster knows, summed over the period they fall in. Read four times below,
-- and not materialized for the same reason as activity: recomputed where it is read.
flows as {{ cte_not_materialized() }} (

    select
        {%- for col in key_cols %}
        {{ col }},
        {%- endfor %}
        {{ period_expr }} as period_start,
        {%- for col in flow_sums %}
        sum({{ col }}) as {{ col }}{{ ',' if not loop.last }}
        {%- endfor %}

    from activity
    where team_id is not null{% if entity == 'product' %} and product_line is not null{% endif %}
    group by {% for col in key_cols %}{{ col }}, {% endfor %}{{ period_expr }}

),

-- Balances on the period's last day, or on the as-of date for the current period.
period_balances as (

    select
        {%- for col in key_cols %}
        balances.{{ col }},
        {%- endfor %}
        periods.period_start,
        {%- for col in balance_sums %}
        sum(balances.{{ col }}) as {{ col }}{{ ',' if not loop.last }}
        {%- endfor %}

    from balances
    inner join periods
        on balances.date_day = periods.measured_through_date
    where
        balances.team_id is not null
        {%- if entity == 'product' %}
        and balances.product_line is not null
        {%- endif %}
    group by {% for col in key_cols %}balances.{{ col }}, {% endfor %}periods.period_start

),
{%- if entity == 'rep' %}

roster_people as (

    select * from reps
    where is_current

),

-- Every person on the roster for every period they were employed in, and any period they
-- have events or balances in.
entity_periods as (

    select
        roster_people.rep_id,
        periods.period_start

    from roster_people
    inner join periods
        on
            roster_people.hire_date <= periods.period_end
            and (
                roster_people.leave_date is null
                or roster_people.leave_date >= periods.period_start
            )

    union

    select
        flows.rep_id,
        flows.period_start

    from flows
    inner join roster_people
        on flows.rep_id = roster_people.rep_id

    union

    select
        period_balances.rep_id,
        period_balances.period_start

    from period_balances
    inner join roster_people
        on period_balances.rep_id = roster_people.rep_id

),
{%- elif entity == 'team' %}

-- Every team from its first roster assignment on, and any period it has events in.
entity_periods as (

    select
        teams.team_id,
        periods.period_start

    from teams
    inner join periods
        on teams.first_assignment_date <= periods.period_end
    where teams.is_sales_team

    union

    select
        team_id,
        period_start

    from flows

    union

    select
        team_id,
        period_start

    from period_balances

),
{%- elif entity == 'region' %}

regions as (

    select
        region,
        min(valid_from) as first_assignment_date

    from reps
    where region is not null
    group by region

),

-- Every region from its first roster assignment on, and any period it has events in.
entity_periods as (

    select
        regions.region,
        periods.period_start

    from regions
    inner join periods
        on regions.first_assignment_date <= periods.period_end

    union

    select
        region,
        period_start

    from flows
    where region is not null

    union

    select
        region,
        period_start

    from period_balances
    where region is not null

),
{%- elif entity == 'product' %}

-- Every product line from the first order or opportunity seen with it.
entity_periods as (

    select
        products.product_line,
        periods.period_start

    from products
    inner join periods
        on products.first_seen_date <= periods.period_end
    where products.product_line is not null

    union

    select
        product_line,
        period_start

    from flows

    union

    select
        product_line,
        period_start

    from period_balances

),
{%- else %}

entity_periods as (

    select period_start from periods

),
{%- endif %}
{%- if has_headcount %}

-- Sales reps (role rep) employed on the period's last day (or the as-of date).
headcount as (

    select
        {%- if key %}
        reps.{{ key }},
        {%- endif %}
        periods.period_start,
        count(*) as rep_count

    from periods
    inner join reps
        on
            periods.measured_through_date >= reps.valid_from
            and (reps.valid_to is null or periods.measured_through_date < reps.valid_to)
            and periods.measured_through_date >= reps.hire_date
            and (reps.leave_date is null or periods.measured_through_date <= reps.leave_date)
    where reps.role = 'rep'
    group by {% if key %}reps.{{ key }}, {% endif %}periods.period_start

),
{%- endif %}

measured as (

    select
        {%- for col in key_cols %}
        entity_periods.{{ col }},
        {%- endfor %}
        {%- if entity == 'rep' %}
        assignments.team_id,
        assignments.region,
        roster_people.rep_name,
        team_names.team_name,
        roster_people.role,
        {%- elif entity == 'team' %}
        coalesce(team_names.team_name, teams.team_name) as team_name,
        teams.region,
        {%- endif %}
        periods.period_label,
        {%- if has_headcount %}
        cast(coalesce(headcount.rep_count, 0) as bigint) as rep_count,
        {%- endif %}
        {%- for col in flow_sums + balance_sums %}
        {%- if col in pipeline_balances %}
        -- Unknown, not 0, before the first opportunity snapshot: nothing says what was open then.
        -- The cast outside the case too: Postgres drops a type's precision in a case with a
        -- bare NULL branch (numeric, not numeric(18,4)).
        cast(
            case
                when periods.measured_through_date >= (select pipeline_known.first_snapshot_date from pipeline_known)
                    then coalesce(period_balances.{{ col }}, 0)
            end
            as {{ sql_type(base_types[col]) }}
        ) as {{ col }},
        {%- else %}
        cast(coalesce({{ 'flows' if col in flow_sums else 'period_balances' }}.{{ col }}, 0)
            as {{ sql_type(base_types[col]) }}) as {{ col }},
        {%- endif %}
        {%- endfor %}
        {%- if has_target %}
        targets.target_amount,
        {%- endif %}
        periods.time_progress,
        periods.workdays_in_period,
        periods.workdays_elapsed,
        periods.is_closed,
        periods.period_start,
        periods.period_end,
        periods.measured_through_date,
        periods.previous_period_start,
        periods.year_ago_period_start

    from entity_periods
    inner join periods
        on entity_periods.period_start = periods.period_start
    {%- if entity == 'rep' %}
    inner join roster_people
        on entity_periods.rep_id = roster_people.rep_id
    -- The rep's team and region on the period's last day (or the as-of date).
    left join assignments
        on
            entity_periods.rep_id = assignments.rep_id
            and periods.measured_through_date >= assignments.span_from
            and periods.measured_through_date < assignments.span_to
    -- The team's name on the same day.
    left join team_names
        on
            assignments.team_id = team_names.team_id
            and periods.measured_through_date >= team_names.span_from
            and periods.measured_through_date < team_names.span_to
    {%- elif entity == 'team' %}
    left join teams
        on entity_periods.team_id = teams.team_id
    left join team_names
        on
            entity_periods.team_id = team_names.team_id
            and periods.measured_through_date >= team_names.span_from
            and periods.measured_through_date < team_names.span_to
    {%- endif %}
    {%- if has_headcount %}
    left join headcount
        on
            {% if key %}entity_periods.{{ key }} = headcount.{{ key }}
            and {% endif %}entity_periods.period_start = headcount.period_start
    {%- endif %}
    left join flows
        on
            {% if key %}entity_periods.{{ key }} = flows.{{ key }}
            and {% endif %}entity_periods.period_start = flows.period_start
    left join period_balances
        on
            {% if key %}entity_periods.{{ key }} = period_balances.{{ key }}
            and {% endif %}entity_periods.period_start = period_balances.period_start
    {%- if has_target %}
    left join targets
        on
            {% if key %}entity_periods.{{ key }} = targets.entity_id
            and {% endif %}entity_periods.period_start = targets.period_start
    {%- endif %}

),

-- The derived KPIs (kpis.yml: kind derived), each its formula over the row's measures.
rated as (

    select
        *
        {%- for col in mart['columns'] if col['kind'] == 'derived' %},
        {{ float_division(col['formula']) }} as {{ col['name'] }}
        {%- endfor %}

    from measured

),

-- The measures growth is measured on, by entity and period, read from flows rather than from
-- rated: a period without flows has sales 0 in rated and no row here, and either way its growth
-- is null (a division by zero sales). Reading rated here as well made DuckDB keep the whole rated
-- relation (2.4 M wide rows at the L org's rep x day grain) to scan it twice: out of memory at
-- a 1 GB limit, and a third slower with memory to spare.
period_sales as (

    select
        {%- for col in key_cols %}
        {{ col }},
        {%- endfor %}
        period_start,
        {{ growth_of | join(',\n        ') }}

    from flows

),

final as (

    select
        {% if key %}current_period.{{ key }} || '@' || {% endif %}current_period.period_label
            as {{ entity }}_{{ grain }}_id,
        {%- for col in key_cols + mart['attributes'] %}
        current_period.{{ col }},
        {%- endfor %}
        {%- for col in mart['columns'] %}
        {%- set comma = ',' if not loop.last else '' %}
        {%- if col['kind'] == 'derived' %}
        cast(current_period.{{ col['name'] }} as {{ sql_type(col['data_type']) }}) as {{ col['name'] }}{{ comma }}
        {%- elif col['kind'] == 'growth' %}
        {%- set other = 'previous_period' if col['compare'] == 'previous' else 'year_ago' %}
        cast(
            {{ as_float('(current_period.' ~ col['of'] ~ ' - ' ~ other ~ '.' ~ col['of'] ~ ')') }}
            / nullif({{ other }}.{{ col['of'] }}, 0)
            as {{ sql_type(col['data_type']) }}
        ) as {{ col['name'] }}{{ comma }}
        {%- elif col.get('base', col['name']) != col['name'] %}
        current_period.{{ col['base'] }} as {{ col['name'] }}{{ comma }}
        {%- else %}
        current_period.{{ col['name'] }}{{ comma }}
        {%- endif %}
        {%- endfor %}

    from rated as current_period
    left join period_sales as previous_period
        on
            {% if key %}current_period.{{ key }} = previous_period.{{ key }}
            and {% endif %}current_period.previous_period_start = previous_period.period_start
    left join period_sales as year_ago
        on
            {% if key %}current_period.{{ key }} = year_ago.{{ key }}
            and {% endif %}current_period.year_ago_period_start = year_ago.period_start

)

select * from final
{%- endmacro %}
