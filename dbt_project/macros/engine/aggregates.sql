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


{#- The value of `expr` on the row with the greatest `by` (one row: `by` is unique in the group;
    rows whose `by` is NULL are skipped, as DuckDB skips them). -#}
{% macro arg_max(expr, by) -%}
    {{ return(adapter.dispatch('arg_max', 'salespulse')(expr, by)) }}
{%- endmacro %}

{% macro default__arg_max(expr, by) -%}
    arg_max({{ expr }}, {{ by }})
{%- endmacro %}

{% macro postgres__arg_max(expr, by) -%}
    (array_agg({{ expr }} order by {{ by }} desc) filter (where {{ by }} is not null))[1]
{%- endmacro %}


{#- The value of `expr` on the row with the least `by` (one row: `by` is unique in the group). -#}
{% macro arg_min(expr, by) -%}
    {{ return(adapter.dispatch('arg_min', 'salespulse')(expr, by)) }}
{%- endmacro %}

{% macro default__arg_min(expr, by) -%}
    arg_min({{ expr }}, {{ by }})
{%- endmacro %}

{% macro postgres__arg_min(expr, by) -%}
    (array_agg({{ expr }} order by {{ by }} asc) filter (where {{ by }} is not null))[1]
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


{#- `fields` of the group's greatest row in the order of `order_columns` (all descending), each
    as latest_<field>: DuckDB takes the max of a struct of them, Postgres the first of an
    ordered array_agg. The order columns are never NULL where this is used. -#}
{% macro greatest_row_fields(order_columns, fields) -%}
    {{ return(adapter.dispatch('greatest_row_fields', 'salespulse')(order_columns, fields)) }}
{%- endmacro %}

{% macro default__greatest_row_fields(order_columns, fields) -%}
    {%- for field in fields %}
        struct_extract(max(struct_pack({{ order_columns | join(', ') }})), '{{ field }}')
            as latest_{{ field }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}

{% macro postgres__greatest_row_fields(order_columns, fields) -%}
    {%- for field in fields %}
        (array_agg({{ field }} order by {{ order_columns | join(' desc, ') }} desc))[1]
            as latest_{{ field }}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- One row per kept row and column of `columns` (its name in `name`, its value in `value`),
    NULL values left out as DuckDB's UNPIVOT leaves them out; Postgres has no UNPIVOT. -#}
{% macro unpivot_columns(relation, keep, columns, name, value) -%}
    {{ return(adapter.dispatch('unpivot_columns', 'salespulse')(relation, keep, columns, name, value)) }}
{%- endmacro %}

{% macro default__unpivot_columns(relation, keep, columns, name, value) -%}
    unpivot {{ relation }}
    on {{ columns | join(', ') }}
    into name {{ name }} value {{ value }}
{%- endmacro %}

{% macro postgres__unpivot_columns(relation, keep, columns, name, value) -%}
    select
        {%- for column in keep %}
        {{ relation }}.{{ column }},
        {%- endfor %}
        unpivoted.{{ name }},
        unpivoted.{{ value }}
    from {{ relation }}
    cross join lateral (
        values
        {%- for column in columns %}
            ('{{ column }}', {{ relation }}.{{ column }}){{ ',' if not loop.last }}
        {%- endfor %}
    ) as unpivoted ({{ name }}, {{ value }})
    where unpivoted.{{ value }} is not null
{%- endmacro %}
