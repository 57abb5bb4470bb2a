{#-
    Date and time arithmetic whose SQL differs between engines. DuckDB's is the reference; it
    and Postgres share it, Spark has no TIME type and no epoch field.
-#}

{#- The ISO 8601 week-numbering year of a date. -#}
{% macro iso_year(expr) -%}
    {{ return(adapter.dispatch('iso_year', 'salespulse')(expr)) }}
{%- endmacro %}

{% macro default__iso_year(expr) -%}
    extract(isoyear from {{ expr }})
{%- endmacro %}

{% macro spark__iso_year(expr) -%}
    extract(yearofweek from {{ expr }})
{%- endmacro %}


{#- The timestamp at the time of day `hh_mm` ('HH:MM', a deadline) on the date `expr`. -#}
{% macro at_time_of_day(expr, hh_mm) -%}
    {{ return(adapter.dispatch('at_time_of_day', 'salespulse')(expr, hh_mm)) }}
{%- endmacro %}

{% macro default__at_time_of_day(expr, hh_mm) -%}
    {{ expr }} + cast('{{ hh_mm }}' as time)
{%- endmacro %}

{% macro spark__at_time_of_day(expr, hh_mm) -%}
    {%- set parts = (hh_mm ~ ':0:0').split(':') -%}
    (cast({{ expr }} as timestamp_ntz)
        + make_dt_interval(0, {{ parts[0] | int }}, {{ parts[1] | int }}, {{ parts[2] | int }}))
{%- endmacro %}


{#- Seconds from timestamp `start` to timestamp `end` (fractions kept). -#}
{% macro seconds_between(start, end) -%}
    {{ return(adapter.dispatch('seconds_between', 'salespulse')(start, end)) }}
{%- endmacro %}

{% macro default__seconds_between(start, end) -%}
    extract(epoch from {{ end }} - {{ start }})
{%- endmacro %}

{#- Timestamps without time zone, read as UTC (the session's time zone in the profile). -#}
{% macro spark__seconds_between(start, end) -%}
    ((unix_micros(cast({{ end }} as timestamp)) - unix_micros(cast({{ start }} as timestamp))) / 1e6)
{%- endmacro %}
