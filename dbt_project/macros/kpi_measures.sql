{#-
    The additive KPIs of the marts, by how they add up (used by the reconciliation tests):
    flows add up across entities and periods, balances across entities only, and the product
    kind is what product-line marts carry. Declared in dbt_project/kpis.yml (kpi_catalog()).
-#}
{% macro kpi_measures(kind) -%}
    {%- set measures = kpi_catalog()['measures'] -%}
    {{ return(measures['flows'] if kind == 'flows' else measures['product'] if kind == 'product' else measures['all']) }}
{%- endmacro %}
