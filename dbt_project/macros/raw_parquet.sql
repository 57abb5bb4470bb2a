{#-
    Raw from Parquet instead of the ingest's own tables: with the var raw_parquet_dir set (the
    folder `SALESPULSE_RAW_PARQUET=1` fills, salespulse/ingest/parquet.py), the run starts by
    pointing the schema raw at the Parquet files, so that every source('raw', ...), the source
    tests and the incremental watermarks read them unchanged. One ingest can then feed a
    warehouse other than the DuckDB file it writes.

    Per engine (adapter.dispatch): DuckDB makes raw.<table> a view over read_parquet (every file
    of the table, columns matched by name, so files written before a contract added a column
    read it as null). Other engines are not supported yet and say so.
-#}

{% macro raw_parquet_views() -%}
    {#- Parsing has no graph to read the sources from: the statement is made when the run starts. -#}
    {%- if execute and var('raw_parquet_dir', '') -%}
        {{ return(adapter.dispatch('raw_parquet_views', 'salespulse')(var('raw_parquet_dir'))) }}
    {%- else -%}
        {{ return('select 1 as raw_from_the_warehouse') }}
    {%- endif -%}
{%- endmacro %}


{% macro default__raw_parquet_views(directory) -%}
    {{ exceptions.raise_compiler_error(
        "raw_parquet_dir: reading raw from Parquet is implemented for DuckDB only, not for "
        ~ adapter.type()) }}
{%- endmacro %}


{% macro duckdb__raw_parquet_views(directory) -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- do tables.append(node.identifier) -%}
    {%- endfor %}
    create schema if not exists raw;
    {%- for table in tables | sort %}
    create or replace view raw.{{ adapter.quote(table) }} as
    select * from read_parquet(
        '{{ directory | replace("'", "''") }}/{{ table }}/*/*.parquet',
        union_by_name = true,
        hive_partitioning = false
    );
    {%- endfor %}
{%- endmacro %}
