{#-
    Aggregates and values one engine lacks. Postgres 15 has no any_value and no arg_max: there
    they are the first element of an array_agg (ordered by `by`, greatest first, for arg_max).
-#}

{#- Any one value of the group (the models use it where every row holds the same value). -#}
{% macro any_value(expr) -%}
    {{ return(adapter.dispatch('any_value', 'salespulse')(expr)) }}
{%- endmacro %}

{% macro default__any_value(expr) -%}
    any_value({{ expr }})
{%- endmacro %}

{% macro postgres__any_value(expr) -%}
    (array_agg({{ expr }}))[1]
{%- endmacro %}


{#- The value of `expr` on the row with the greatest `by` (one row: `by` is unique in the group). -#}
{% macro arg_max(expr, by) -%}
    {{ return(adapter.dispatch('arg_max', 'salespulse')(expr, by)) }}
{%- endmacro %}

{% macro default__arg_max(expr, by) -%}
    arg_max({{ expr }}, {{ by }})
{%- endmacro %}

{% macro postgres__arg_max(expr, by) -%}
    (array_agg({{ expr }} order by {{ by }} desc nulls last))[1]
{%- endmacro %}


{#- Several columns as one value that compares field by field (DuckDB's struct, a Postgres row). -#}
{% macro row_value(columns) -%}
    {{ return(adapter.dispatch('row_value', 'salespulse')(columns)) }}
{%- endmacro %}

{% macro default__row_value(columns) -%}
    struct_pack({{ columns | join(', ') }})
{%- endmacro %}

{% macro postgres__row_value(columns) -%}
    row({{ columns | join(', ') }})
{%- endmacro %}


{#- Whether two row_values differ, a NULL field equal to a NULL field (DuckDB's struct <>);
    NULL when either is NULL on DuckDB, true on Postgres: callers coalesce it to true. -#}
{% macro values_differ(left, right) -%}
    {{ return(adapter.dispatch('values_differ', 'salespulse')(left, right)) }}
{%- endmacro %}

{% macro default__values_differ(left, right) -%}
    {{ left }} <> {{ right }}
{%- endmacro %}

{% macro postgres__values_differ(left, right) -%}
    {{ left }} is distinct from {{ right }}
{%- endmacro %}
