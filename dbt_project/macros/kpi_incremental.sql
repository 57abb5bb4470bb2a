{#-
    Models built incrementally by period: a run rebuilds the periods whose inputs changed since
    the model was last built, and keeps the others as they are.

    What a model's rows of a period are computed from is written down once, as a fingerprint per
    period, in a model of its own: int_kpi_period_fingerprints for the KPI marts (per entity,
    grain and period: the period's own row of int_kpi_periods, the additive base on the days of
    the period and of the periods its growth rates compare with, the balances on the day it is
    measured through, its targets, and the roster, teams and products every period reads), and
    int_rep_balance_day_fingerprints for the daily balances (the spans and assignments holding on
    each day). Each model keeps, in dbt_state.kpi_built_periods, the fingerprint of every period
    it holds as built. A period whose fingerprint differs (new data on one of its days, a late
    correction, the as-of date moving past it, a roster change) is deleted and computed again; a
    period that left the fingerprints is deleted. So the daily run rebuilds the new day, the day
    that stopped being the current one and the weeks, months, quarters and years they fall in,
    not three years.

    The order of the hooks makes a failed build safe: the fingerprints of the periods about to be
    rebuilt are forgotten first, so a build that fails after deleting their rows leaves them
    changed for the next run, never kept as built. A full refresh forgets them all.

    A model built this way: materialized='incremental', incremental_strategy='append', the
    pre-hooks forget_changed_periods(fingerprints) and delete_unbuilt_periods(column), the
    post-hook record_built_periods(fingerprints), and a build that computes only the periods not
    in built_periods() when is_incremental(); `fingerprints` is a query of (period_start,
    fingerprint) and the model names its fingerprint model in a `-- depends_on:` comment.
-#}

{#- The first day of the `grain` period a date falls in (the marts' and fingerprints' grouping). -#}
{% macro kpi_period_start(grain, column) -%}
    {%- if grain == 'day' -%}
        {{ column }}
    {%- else -%}
        cast(date_trunc('{{ grain }}', {{ column }}) as date)
    {%- endif -%}
{%- endmacro %}


{% macro create_kpi_state() -%}
    {%- if not keeps_increments() -%}
    select 1 as no_kpi_state
    {%- else -%}
    create table if not exists dbt_state.kpi_built_periods (
        model_name varchar not null,
        period_start date not null,
        fingerprint {{ fingerprint_type() }} not null,
        primary key (model_name, period_start)
    )
    {%- endif -%}
{%- endmacro %}


{#- The fingerprints of a KPI mart's periods as this run computes them. -#}
{% macro kpi_current_fingerprints(entity, grain) -%}
    select fingerprints.period_start, fingerprints.fingerprint
    from {{ ref('int_kpi_period_fingerprints') }} as fingerprints
    where fingerprints.entity = '{{ entity }}' and fingerprints.grain = '{{ grain }}'
{%- endmacro %}


{#- The fingerprints of the days of int_rep_balances_measured_on_days as this run computes them. -#}
{% macro balance_day_fingerprints() -%}
    select fingerprints.date_day as period_start, fingerprints.fingerprint
    from {{ ref('int_rep_balance_day_fingerprints') }} as fingerprints
{%- endmacro %}


{#- Pre-hook 1: forget the periods whose inputs changed (every period on a full build). -#}
{% macro forget_changed_periods(fingerprints) -%}
    {%- if keeps_increments() -%}
    delete from dbt_state.kpi_built_periods as built
    where
        built.model_name = '{{ this.identifier }}'
        {%- if is_incremental() %}
        and (built.period_start, built.fingerprint) not in (
            {{ fingerprints }}
        )
        {%- endif %}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook 2: delete the rows of every period not kept as built (`column` holds the period). -#}
{% macro delete_unbuilt_periods(column='period_start') -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ column }} not in ({{ built_periods() }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- The periods the model holds as built (the ones an incremental build leaves alone). -#}
{% macro built_periods() -%}
    select built.period_start from dbt_state.kpi_built_periods as built
    where built.model_name = '{{ this.identifier }}'
{%- endmacro %}


{#- Post-hook: every period of the model is built with the inputs of this run. -#}
{% macro record_built_periods(fingerprints) -%}
    {%- if keeps_increments() -%}
    insert into dbt_state.kpi_built_periods
    select '{{ this.identifier }}', current.period_start, current.fingerprint
    from ({{ fingerprints }}) as current
    on conflict (model_name, period_start) do update set fingerprint = excluded.fingerprint
    {%- endif -%}
{%- endmacro %}
