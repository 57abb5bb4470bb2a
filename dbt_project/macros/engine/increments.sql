{#-
    Incremental builds need rows deleted and state upserted in place. DuckDB and Postgres do
    both; Spark's plain Parquet tables (no Delta or Iceberg catalog configured) do neither, so on
    Spark every incremental model is built whole as a table on each run and the watermark and
    built-period state (macros/incremental.sql, macros/kpi_incremental.sql) is not kept. The
    rows are the same: an incremental build equals the full one by design (tested on DuckDB and
    Postgres).
-#}

{#- The materialization of an incremental model on this engine (read when the model is parsed). -#}
{% macro incremental_materialization() -%}
    {{ return('incremental' if keeps_increments() else 'table') }}
{%- endmacro %}


{#- True where the engine can delete and upsert in place (the incremental state is kept). -#}
{% macro keeps_increments() -%}
    {{ return(target.type != 'spark') }}
{%- endmacro %}
