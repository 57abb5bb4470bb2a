{#-
    Column types one engine lacks. A fingerprint is DuckDB's hash(), an unsigned 64-bit integer;
    Postgres has no unsigned type, and numeric(20, 0) holds every such value.
-#}
{% macro fingerprint_type() -%}
    {{ return(adapter.dispatch('fingerprint_type', 'salespulse')()) }}
{%- endmacro %}

{% macro default__fingerprint_type() -%}
    ubigint
{%- endmacro %}

{% macro postgres__fingerprint_type() -%}
    numeric(20, 0)
{%- endmacro %}
