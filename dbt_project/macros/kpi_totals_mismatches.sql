{#-
    Rows for every period and measure whose total differs between the given KPI marts (a mart
    without rows for the period counts as 0): the body of the reconciliation tests. `period` maps each mart's period_start
    onto the compared period (e.g. date_trunc to sum days into months). Marts of different
    grains cover different days at both ends: `since_first_of` limits the comparison to periods
    from the first period of that mart on, and `closed_only` to the periods the last (coarsest)
    mart has closed (a current period counts receivables falling due after the as-of date, but
    has days only up to that date).
-#}
{% macro kpi_totals_mismatches(
    models, measures, period='period_start', since_first_of=none, closed_only=false
) -%}
with

{% for model in models -%}
{{ model }}_totals as (

    select
        '{{ model }}' as kpi_model,
        cast({{ period }} as date) as period_start,
        {%- for measure in measures %}
        cast(sum({{ measure }}) as decimal(38, 2)) as {{ measure }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ ref(model) }}
    group by cast({{ period }} as date)

),

{% endfor -%}
totals as (

    {% for model in models -%}
    select * from {{ model }}_totals
    {% if not loop.last %}union all
    {% endif -%}
    {% endfor %}
),

long_totals as (

    {{ unpivot_columns('totals', ['kpi_model', 'period_start'], measures, 'measure', 'total') }}

),

mismatches as (

    select
        period_start,
        measure,
        count(*) as models_with_period,
        min(total) as lowest_total,
        max(total) as highest_total

    from long_totals
    where
        true
        {%- if since_first_of %}
        and period_start >= (select min(period_start) from {{ ref(since_first_of) }})
        {%- endif %}
        {%- if closed_only %}
        and period_start in (select period_start from {{ ref(models[-1]) }} where is_closed)
        {%- endif %}
    group by period_start, measure
    having
        min(total) <> max(total)
        or (count(*) < {{ models | length }} and (min(total) <> 0 or max(total) <> 0))

)

select * from mismatches
{%- endmacro %}
