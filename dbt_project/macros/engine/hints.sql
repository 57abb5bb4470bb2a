{#- `with name as {{ cte_not_materialized() }} (...)`: DuckDB and Postgres then inline a CTE read
    several times instead of computing it once and keeping its rows (see kpi_mart.sql); Spark
    always inlines and has no such keyword. -#}
{% macro cte_not_materialized() -%}
    {{ return(adapter.dispatch('cte_not_materialized', 'salespulse')()) }}
{%- endmacro %}

{% macro default__cte_not_materialized() -%}
    not materialized
{%- endmacro %}

{% macro spark__cte_not_materialized() -%}
{%- endmacro %}
