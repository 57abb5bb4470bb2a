{#-
    The additive KPIs of the marts, by how they add up (used by the reconciliation tests):
    flows add up across entities and periods, balances across entities only, and the product
    kind is what product-line marts carry.
-#}
{% macro kpi_measures(kind) -%}
    {%- set flows = ['sales_amount', 'orders_count', 'new_customers', 'won_amount', 'won_count',
                     'lost_count', 'receivables_due_amount', 'collected_amount'] -%}
    {%- set activity = ['new_leads', 'crm_new_leads', 'crm_leads_converted', 'visits', 'calls',
                        'daily_reports_expected', 'daily_reports_on_time'] -%}
    {%- set balances = ['overdue_receivables', 'open_opportunities', 'open_pipeline',
                        'weighted_pipeline'] -%}
    {%- if kind == 'flows' -%}
        {{ return(flows + activity) }}
    {%- elif kind == 'product' -%}
        {{ return(flows + balances) }}
    {%- else -%}
        {{ return(flows + activity + balances) }}
    {%- endif -%}
{%- endmacro %}
