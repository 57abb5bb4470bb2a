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

{% macro spark__arg_max(expr, by) -%}
    max_by({{ expr }}, {{ by }})
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

{% macro spark__arg_min(expr, by) -%}
    min_by({{ expr }}, {{ by }})
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

{% macro spark__row_value(columns) -%}
    struct({{ columns | join(', ') }})
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

{% macro spark__values_differ(left, right) -%}
    not ({{ left }} <=> {{ right }})
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

{#- Spark orders structs field by field, as DuckDB does. -#}
{% macro spark__greatest_row_fields(order_columns, fields) -%}
    {%- for field in fields %}
        max(struct({{ order_columns | join(', ') }})).{{ field }}
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

{#- Spark's UNPIVOT leaves NULL values out by default, as DuckDB's does. -#}
{% macro spark__unpivot_columns(relation, keep, columns, name, value) -%}
    select * from {{ relation }}
    unpivot ({{ value }} for {{ name }} in ({{ columns | join(', ') }}))
{%- endmacro %}


{#- Select-list items: one row per [name, value] pair of `pairs` (SQL expressions), the name in
    column `name` and the value in `value`, NULL values kept. -#}
{% macro pairs_to_rows(pairs, name, value) -%}
    {{ return(adapter.dispatch('pairs_to_rows', 'salespulse')(pairs, name, value)) }}
{%- endmacro %}

{% macro default__pairs_to_rows(pairs, name, value) -%}
    unnest(array[{{ pairs | map(attribute=0) | join(', ') }}]) as {{ name }},
    unnest(array[{{ pairs | map(attribute=1) | join(', ') }}]) as {{ value }}
{%- endmacro %}

{#- Spark: one generator per select, so each pair is a struct of an array. -#}
{% macro spark__pairs_to_rows(pairs, name, value) -%}
    inline(array(
        {%- for pair in pairs %}
        named_struct('name', {{ pair[0] }}, 'value', {{ pair[1] }}){{ ',' if not loop.last }}
        {%- endfor %}
    )) as ({{ name }}, {{ value }})
{%- endmacro %}


{#- The values of `expr` in the group joined by `separator` in the order of `order_by` (of `expr`
    itself, and each value once, with distinct=true); NULLs skipped. -#}
{% macro ordered_string_agg(expr, separator, order_by=none, distinct=false) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'salespulse')(expr, separator, order_by, distinct)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, separator, order_by, distinct) -%}
    string_agg(
        {{ 'distinct ' if distinct }}{{ expr }}, {{ separator }}
        order by {{ expr if distinct else order_by }}
    )
{%- endmacro %}

{#- Spark 4's listagg orders only inside WITHIN GROUP: sorted arrays joined instead. -#}
{% macro spark__ordered_string_agg(expr, separator, order_by, distinct) -%}
    {%- if distinct -%}
        array_join(array_sort(collect_set({{ expr }})), {{ separator }})
    {%- else -%}
        array_join(
            transform(
                array_sort(collect_list(named_struct('k', {{ order_by }}, 'v', {{ expr }}))),
                pair -> pair.v
            ),
            {{ separator }}
        )
    {%- endif -%}
{%- endmacro %}
