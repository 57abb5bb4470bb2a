{#-
    The business date KPIs are computed as of: var as_of_date, else the environment variable
    SALESPULSE_DBT_AS_OF (how the pipeline passes it: a var that changes from run to run makes
    dbt parse the whole project again), else today in business time.
-#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of_date', '') or env_var('SALESPULSE_DBT_AS_OF', '') -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        cast(timezone('{{ var("business_timezone") }}', current_timestamp) as date)
    {%- endif -%}
{%- endmacro %}
