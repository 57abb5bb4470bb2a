{#- The rules' declaration (dbt_project/quality.yml) as the models read it, through the catalog
    `salespulse rules` writes (macros/quality_catalog.sql). -#}

{#- A rule threshold: the dbt var the pipeline passes (from its setting), else the declared
    default. Declared in quality.yml with `dbt: true`; an undeclared name fails compilation. -#}
{% macro threshold(name) -%}
    {%- set declared = quality_catalog()['thresholds'] -%}
    {%- if name not in declared -%}
        {{ exceptions.raise_compiler_error(
            "threshold('" ~ name ~ "') is not declared in dbt_project/quality.yml with dbt: true"
        ) }}
    {%- endif -%}
    {{ return(var(name, declared[name])) }}
{%- endmacro %}

{#- `case <kind> when ... then ... end`: a finding kind's category or severity, as quality.yml
    declares it for the check the kind belongs to. -#}
{% macro finding_kind_attribute(kind_column, attribute) -%}
    case {{ kind_column }}
    {%- for kind, declared in quality_catalog()['kinds'].items() | sort %}
        when '{{ kind }}' then '{{ declared[attribute] }}'
    {%- endfor %}
    end
{%- endmacro %}

{#- Rows whose kind no check of quality.yml declares: a finding nobody would be told of. -#}
{% test declared_finding_kind(model, column_name) %}

select {{ column_name }} as undeclared_kind, count(*) as findings
from {{ model }}
where {{ column_name }} not in (
    {%- for kind in quality_catalog()['kinds'] | sort %}'{{ kind }}'{{ ', ' if not loop.last }}{% endfor -%}
)
group by {{ column_name }}

{% endtest %}
