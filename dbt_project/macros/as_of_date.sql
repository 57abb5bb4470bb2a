{#- The business date KPIs are computed as of: var as_of_date, else today in business time. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of_date', '') -%}
    {%- if as_of -%}
        cast('{{ as_of }}' as date)
    {%- else -%}
        cast(timezone('{{ var("business_timezone") }}', current_timestamp) as date)
    {%- endif -%}
{%- endmacro %}
