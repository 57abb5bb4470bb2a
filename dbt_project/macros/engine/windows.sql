{#-
    count(distinct expr) over (partition by ...): DuckDB has it; Postgres has no DISTINCT in
    window functions, so there it is the number of distinct values (two dense ranks, NULL
    ranked as one value) less one when the partition has a NULL (count distinct skips NULLs).
-#}
{% macro count_distinct_over(expr, partition_by) -%}
    {{ return(adapter.dispatch('count_distinct_over', 'salespulse')(expr, partition_by)) }}
{%- endmacro %}


{% macro default__count_distinct_over(expr, partition_by) -%}
    count(distinct {{ expr }}) over (partition by {{ partition_by | join(', ') }})
{%- endmacro %}


{% macro postgres__count_distinct_over(expr, partition_by) -%}
    {%- set partition = partition_by | join(', ') -%}
    (
        dense_rank() over (partition by {{ partition }} order by {{ expr }} asc nulls last)
        + dense_rank() over (partition by {{ partition }} order by {{ expr }} desc nulls first)
        - 1
        - max(case when {{ expr }} is null then 1 else 0 end) over (partition by {{ partition }})
    )
{%- endmacro %}

{#- Spark has no DISTINCT in window functions either: the size of the set of the values. -#}
{% macro spark__count_distinct_over(expr, partition_by) -%}
    size(collect_set({{ expr }}) over (partition by {{ partition_by | join(', ') }}))
{%- endmacro %}
