{#-
    Keep one row per key of a relation (a CTE's name): the row of the latest ingested file
    (greatest _file_id), then `tie_breakers` (extra order-by terms), then the latest row in that
    file (first_row below).
-#}
{% macro latest_file_rows(relation, keys, tie_breakers=[]) -%}
    {{ salespulse.first_row(relation, keys, ['_file_id desc'] + tie_breakers + ['_row_number desc']) }}
{%- endmacro %}


{#-
    The first row of each group of a relation (a CTE's name): `partition_by` and `order_by` are
    lists of expressions of its columns, an order term optionally followed by asc/desc. A whole
    select statement, per engine: DuckDB filters with QUALIFY, Postgres with DISTINCT ON. Nulls
    sort last in every term, as DuckDB sorts them by default.
-#}
{% macro first_row(relation, partition_by, order_by) -%}
    {{ return(adapter.dispatch('first_row', 'salespulse')(relation, partition_by, order_by)) }}
{%- endmacro %}


{% macro _nulls_last(order_by) -%}
    {%- for term in order_by -%}
        {{ term }}{{ '' if 'nulls' in term else ' nulls last' }}{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}


{% macro default__first_row(relation, partition_by, order_by) -%}
    select * from {{ relation }}
    qualify row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by {{ salespulse._nulls_last(order_by) }}
    ) = 1
{%- endmacro %}


{% macro postgres__first_row(relation, partition_by, order_by) -%}
    select distinct on ({{ partition_by | join(', ') }}) * from {{ relation }}
    order by {{ partition_by | join(', ') }}, {{ salespulse._nulls_last(order_by) }}
{%- endmacro %}


{#-
    The rows of a relation from the latest file that has their key (a later export of a key
    replaces every row of it, e.g. an order's lines). The key is required by its contract.
-#}
{% macro latest_file_only(relation, key) -%}
    {{ return(adapter.dispatch('latest_file_only', 'salespulse')(relation, key)) }}
{%- endmacro %}


{% macro default__latest_file_only(relation, key) -%}
    select * from {{ relation }}
    qualify _file_id = max(_file_id) over (partition by {{ key }})
{%- endmacro %}


{% macro postgres__latest_file_only(relation, key) -%}
    select {{ relation }}.*
    from {{ relation }}
    inner join (
        select
            {{ key }} as _latest_key,
            max(_file_id) as _latest_file_id
        from {{ relation }}
        group by {{ key }}
    ) as latest_files
        on
            {{ relation }}.{{ key }} = latest_files._latest_key
            and {{ relation }}._file_id = latest_files._latest_file_id
{%- endmacro %}


{#-
    UNION ALL BY NAME of CTEs whose columns differ, a column missing from one filled with NULL.
    `branches` is a list of [cte, [its columns]]: DuckDB matches the names itself; Postgres has
    no BY NAME, so each branch selects every column of the union, NULL where it has none.
-#}
{% macro union_by_name(branches) -%}
    {{ return(adapter.dispatch('union_by_name', 'salespulse')(branches)) }}
{%- endmacro %}


{% macro default__union_by_name(branches) -%}
    {%- for branch in branches %}
    select * from {{ branch[0] }}
    {%- if not loop.last %}
    union all by name
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro postgres__union_by_name(branches) -%}
    {%- set columns = [] -%}
    {%- for branch in branches -%}
        {%- for column in branch[1] if column not in columns -%}
            {%- do columns.append(column) -%}
        {%- endfor -%}
    {%- endfor -%}
    {#- A first branch of no rows fixes each column's type (that of a branch that has it): a
        bare NULL in the first branches would otherwise make the column text. -#}
    {%- set typed = [] -%}
    {%- for column in columns -%}
        {%- set first = namespace(name=none) -%}
        {%- for branch in branches if first.name is none and column in branch[1] -%}
            {%- set first.name = branch[0] -%}
        {%- endfor -%}
        {%- do typed.append(first.name ~ '.' ~ column) -%}
    {%- endfor %}
    select {{ typed | join(', ') }}
    from {{ branches | map(attribute=0) | join(', ') }}
    where false
    {%- for branch in branches %}
    union all
    select
        {%- for column in columns %}
        {{ column if column in branch[1] else 'null' }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ branch[0] }}
    {%- endfor %}
{%- endmacro %}

{#- Spark SQL has no BY NAME either (only the DataFrame API has): Postgres's form. -#}
{% macro spark__union_by_name(branches) -%}
    {{ salespulse.postgres__union_by_name(branches) }}
{%- endmacro %}
