{#-
    COMMENT ON for the tables and columns of models with persist_docs, as dbt-duckdb writes them,
    but with the description read as plain text: markdown emphasis (**) dropped and line breaks
    folded, so `duckdb_columns()` and `describe` in `salespulse sql` show one readable line.
    dbt docs keeps the markdown.
-#}
{% macro plain_comment(description) -%}
    {{- modules.re.sub('\\s+', ' ', (description or '') | replace('**', '')) | trim -}}
{%- endmacro %}

{% macro duckdb__alter_relation_comment(relation, comment) %}
    {%- set escaped_comment = duckdb_escape_comment(plain_comment(comment)) -%}
    comment on {{ relation.type }} {{ relation }} is {{ escaped_comment }};
{% endmacro %}

{% macro duckdb__alter_column_comment(relation, column_dict) %}
    {%- set existing_columns = adapter.get_columns_in_relation(relation) | map(attribute="name") | list -%}
    {%- for column_name in column_dict if (column_name in existing_columns) %}
        {%- set escaped_comment = duckdb_escape_comment(plain_comment(column_dict[column_name]['description'])) %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }} is {{ escaped_comment }};
    {%- endfor %}
{% endmacro %}
