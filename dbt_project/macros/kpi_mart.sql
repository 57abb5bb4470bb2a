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
    measured_through_date), so that nobody joins dim_reps, which has a row per assignment. The
    period-on-period growth is named after its grain (dod_, wow_, mom_, qoq_); pop_sales_growth
    stays as an alias of it.
-#}
{% macro kpi_mart(entity, grain) -%}
{%- set key = {'rep': 'rep_id', 'team': 'team_id', 'region': 'region',
               'product': 'product_line', 'company': none}[entity] -%}
{%- set has_activity = entity != 'product' -%}
{%- set has_target = entity != 'product' -%}
{%- set has_headcount = entity in ('team', 'region', 'company') -%}
{%- set period_expr = 'date_day' if grain == 'day'
    else "cast(date_trunc('" ~ ('week' if grain == 'week' else grain) ~ "', date_day) as date)" -%}
{%- set key_cols = [key] if key else [] -%}
{%- set growth_prefix = {'day': 'dod', 'week': 'wow', 'month': 'mom', 'quarter': 'qoq',
                         'year': none}[grain] -%}
{%- set flow_sums = ['sales_amount', 'orders_count', 'new_customers', 'won_amount',
                     'won_count', 'lost_count', 'receivables_due_amount', 'collected_amount'] -%}
{%- if has_activity -%}
    {%- set flow_sums = flow_sums + ['crm_new_leads', 'crm_leads_converted', 'report_new_leads',
                                     'visits', 'calls', 'daily_reports_expected',
                                     'daily_reports_on_time'] -%}
{%- endif -%}
{%- set money = ['sales_amount', 'won_amount', 'receivables_due_amount', 'collected_amount',
                 'overdue_receivables', 'open_pipeline', 'weighted_pipeline'] -%}
{%- set pipeline_balances = ['open_opportunities', 'open_pipeline', 'weighted_pipeline'] -%}
{%- set balance_sums = ['overdue_receivables', 'open_opportunities', 'open_pipeline',
                        'weighted_pipeline'] -%}
with

periods as (

    select * from {{ ref('int_kpi_periods') }}
    where grain = '{{ grain }}'

),

activity as (

    select * from {{ ref('int_rep_activity_attributed_to_days') }}

),

balances as (

    select * from {{ ref('int_rep_balances_measured_on_days') }}

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

-- Events of reps the roster knows, summed over the period they fall in.
flows as (

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
        case
            when periods.measured_through_date >= (select pipeline_known.first_snapshot_date from pipeline_known)
                then cast(coalesce(period_balances.{{ col }}, 0)
                    as {{ 'decimal(18, 4)' if col in money else 'bigint' }})
        end as {{ col }},
        {%- else %}
        cast(coalesce({{ 'flows' if col in flow_sums else 'period_balances' }}.{{ col }}, 0)
            as {{ 'decimal(18, 4)' if col in money else 'bigint' }}) as {{ col }},
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

rated as (

    select
        *,
        sales_amount / nullif(orders_count, 0) as avg_order_value,
        {%- if has_target %}
        sales_amount / nullif(target_amount, 0) as completion_rate,
        sales_amount / nullif(target_amount, 0) - time_progress as pace_gap,
        -- Open pipeline against what is left to sell; null once the target is reached.
        open_pipeline / nullif(greatest(target_amount - sales_amount, 0), 0)
            as pipeline_coverage,
        {%- endif %}
        {%- if has_activity %}
        crm_leads_converted / nullif(crm_new_leads, 0) as lead_conversion_rate,
        visits / nullif(workdays_elapsed, 0) as visits_per_workday,
        calls / nullif(workdays_elapsed, 0) as calls_per_workday,
        daily_reports_on_time / nullif(daily_reports_expected, 0) as on_time_rate,
        {%- endif %}
        won_count / nullif(won_count + lost_count, 0) as win_rate,
        collected_amount / nullif(receivables_due_amount, 0) as collection_rate

    from measured

),

-- The sales of each entity and period, for the growth rates, read from flows rather than from
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
        sales_amount

    from flows

),

final as (

    select
        {% if key %}current_period.{{ key }} || '@' || {% endif %}current_period.period_label
            as {{ entity }}_{{ grain }}_id,
        {%- for col in key_cols %}
        current_period.{{ col }},
        {%- endfor %}
        {%- if entity == 'rep' %}
        current_period.team_id,
        current_period.region,
        current_period.rep_name,
        current_period.team_name,
        current_period.role,
        {%- elif entity == 'team' %}
        current_period.team_name,
        current_period.region,
        {%- endif %}
        current_period.period_label,
        {%- if has_headcount %}
        current_period.rep_count,
        {%- endif %}
        current_period.sales_amount,
        current_period.orders_count,
        cast(current_period.avg_order_value as decimal(18, 4)) as avg_order_value,
        {%- if has_target %}
        current_period.target_amount,
        cast(current_period.completion_rate as double) as completion_rate,
        {%- endif %}
        current_period.time_progress,
        {%- if has_target %}
        cast(current_period.pace_gap as double) as pace_gap,
        {%- endif %}
        {%- if growth_prefix %}
        cast(
            (current_period.sales_amount - previous_period.sales_amount)
            / nullif(previous_period.sales_amount, 0)
            as double
        ) as {{ growth_prefix }}_sales_growth,
        {%- endif %}
        cast(
            (current_period.sales_amount - previous_period.sales_amount)
            / nullif(previous_period.sales_amount, 0)
            as double
        ) as pop_sales_growth,
        cast(
            (current_period.sales_amount - year_ago.sales_amount)
            / nullif(year_ago.sales_amount, 0)
            as double
        ) as yoy_sales_growth,
        current_period.new_customers,
        {%- if has_activity %}
        current_period.report_new_leads as new_leads,
        current_period.crm_new_leads,
        current_period.crm_leads_converted,
        cast(current_period.lead_conversion_rate as double) as lead_conversion_rate,
        {%- endif %}
        current_period.won_amount,
        current_period.won_count,
        current_period.lost_count,
        cast(current_period.win_rate as double) as win_rate,
        current_period.receivables_due_amount,
        current_period.collected_amount,
        cast(current_period.collection_rate as double) as collection_rate,
        current_period.overdue_receivables,
        current_period.open_opportunities,
        current_period.open_pipeline,
        current_period.weighted_pipeline,
        {%- if has_target %}
        cast(current_period.pipeline_coverage as double) as pipeline_coverage,
        {%- endif %}
        {%- if has_activity %}
        current_period.visits,
        current_period.calls,
        cast(current_period.visits_per_workday as double) as visits_per_workday,
        cast(current_period.calls_per_workday as double) as calls_per_workday,
        current_period.daily_reports_expected,
        current_period.daily_reports_on_time,
        cast(current_period.on_time_rate as double) as on_time_rate,
        {%- endif %}
        current_period.workdays_in_period,
        current_period.workdays_elapsed,
        current_period.is_closed,
        current_period.period_start,
        current_period.period_end,
        current_period.measured_through_date

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
