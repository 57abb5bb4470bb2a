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

{% macro spark__fingerprint_type() -%}
    decimal(20, 0)
{%- endmacro %}


{#- A double-precision float: DuckDB's `double`, Postgres's `double precision`. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'salespulse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double
{%- endmacro %}

{% macro postgres__type_double() -%}
    double precision
{%- endmacro %}


{#-
    Row hashes, for the fingerprints of the incremental models. DuckDB's hash() of the values
    (an unsigned 64-bit integer; a table alias hashes its whole row); on Postgres, the 64-bit
    hashtextextended of the values' row as text. The two engines give different numbers: a
    fingerprint is compared only with fingerprints from the same engine. Sums of hashes need a
    type that does not overflow: hash_sum_type.
-#}
{% macro hash_of(expressions) -%}
    {{ return(adapter.dispatch('hash_of', 'salespulse')(expressions)) }}
{%- endmacro %}

{% macro default__hash_of(expressions) -%}
    hash({{ expressions | join(', ') }})
{%- endmacro %}

{% macro postgres__hash_of(expressions) -%}
    hashtextextended(cast(row({{ expressions | join(', ') }}) as text), 0)
{%- endmacro %}

{% macro spark__hash_of(expressions) -%}
    xxhash64({{ expressions | join(', ') }})
{%- endmacro %}


{#- A relation alias as one value of its whole row, for hash_of: DuckDB and Postgres read the
    alias itself as the row; Spark needs the struct of its columns. -#}
{% macro whole_row(alias) -%}
    {{ return(adapter.dispatch('whole_row', 'salespulse')(alias)) }}
{%- endmacro %}

{% macro default__whole_row(alias) -%}
    {{ alias }}
{%- endmacro %}

{% macro spark__whole_row(alias) -%}
    struct({{ alias }}.*)
{%- endmacro %}


{% macro hash_sum_type() -%}
    {{ return(adapter.dispatch('hash_sum_type', 'salespulse')()) }}
{%- endmacro %}

{% macro default__hash_sum_type() -%}
    hugeint
{%- endmacro %}

{% macro postgres__hash_sum_type() -%}
    numeric
{%- endmacro %}

{% macro spark__hash_sum_type() -%}
    decimal(38, 0)
{%- endmacro %}


{#- A column type as the marts declare it (DuckDB's names) in this engine's SQL. -#}
{% macro sql_type(declared) -%}
    {{ return(adapter.dispatch('sql_type', 'salespulse')(declared)) }}
{%- endmacro %}

{% macro default__sql_type(declared) -%}
    {{ declared }}
{%- endmacro %}

{% macro postgres__sql_type(declared) -%}
    {{ {'double': 'double precision'}.get(declared, declared) }}
{%- endmacro %}

{% macro spark__sql_type(declared) -%}
    {{ {'ubigint': 'decimal(20, 0)', 'hugeint': 'decimal(38, 0)', 'varchar': 'string'}.get(declared, declared) }}
{%- endmacro %}


{#- A statement setting DuckDB's threads (a model's pre- and post-hook); nothing elsewhere. -#}
{% macro set_duckdb_threads(value) -%}
    {{ return(adapter.dispatch('set_duckdb_threads', 'salespulse')(value)) }}
{%- endmacro %}

{% macro default__set_duckdb_threads(value) -%}
    select 1 as duckdb_threads_not_set
{%- endmacro %}

{% macro duckdb__set_duckdb_threads(value) -%}
    set threads = {{ value }}
{%- endmacro %}


{#-
    Division: DuckDB's `/` divides in double precision whatever the operand types; Postgres's
    divides integers as integers (7 / 2 = 3). as_float(numerator) makes Postgres divide as
    DuckDB does; float_division(formula) does it to every `name / ...` of a KPI formula.
-#}
{% macro as_float(expr) -%}
    {{ return(adapter.dispatch('as_float', 'salespulse')(expr)) }}
{%- endmacro %}

{% macro default__as_float(expr) -%}
    {{ expr }}
{%- endmacro %}

{% macro postgres__as_float(expr) -%}
    cast({{ expr }} as double precision)
{%- endmacro %}

{#- Spark divides decimals as decimals (to a limited scale): the numerator as a double. -#}
{% macro spark__as_float(expr) -%}
    cast({{ expr }} as double)
{%- endmacro %}


{% macro float_division(formula) -%}
    {{ return(adapter.dispatch('float_division', 'salespulse')(formula)) }}
{%- endmacro %}

{% macro default__float_division(formula) -%}
    {{ formula }}
{%- endmacro %}

{% macro postgres__float_division(formula) -%}
    {{ modules.re.sub('(\\w+) / ', 'cast(\\1 as double precision) / ', formula) }}
{%- endmacro %}

{% macro spark__float_division(formula) -%}
    {{ modules.re.sub('(\\w+) / ', 'cast(\\1 as double) / ', formula) }}
{%- endmacro %}


{#- Post-hook of every model: on Postgres, a table or incremental model just built gets its
    statistics at once (ANALYZE), so the models built after it in the same run are planned on
    real row counts; without them kpi_rep_daily took 17 s instead of 0.5 s at the S org. -#}
{% macro analyze_after_build() -%}
    {{ return(adapter.dispatch('analyze_after_build', 'salespulse')()) }}
{%- endmacro %}

{#- Nothing to run elsewhere: dbt skips an empty hook. -#}
{% macro default__analyze_after_build() -%}
{%- endmacro %}

{% macro postgres__analyze_after_build() -%}
    {%- if config.get('materialized') in ('table', 'incremental') -%}
        analyze {{ this }}
    {%- endif -%}
{%- endmacro %}
