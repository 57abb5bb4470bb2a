{#-
    Raw from Parquet instead of the ingest's own tables: with the var raw_parquet_dir set (the
    folder `SALESPULSE_RAW_PARQUET=1` fills, salespulse/ingest/parquet.py), the run starts by
    pointing the schema raw at the Parquet files, so that every source('raw', ...), the source
    tests and the incremental watermarks read them unchanged. One ingest can then feed a
    warehouse other than the DuckDB file it writes.

    Per engine (adapter.dispatch): DuckDB makes raw.<table> a view over read_parquet (every file
    of the table, columns matched by name, so files written before a contract added a column
    read it as null). Spark makes it an external table over the table's folder, its columns those
    of the folder's schema file (_schema/empty.parquet, or the whole table's one file under
    _whole/), so older files read a newer column as null too. Postgres reads raw loaded by
    `salespulse load-postgres` instead and says so when asked to read the files.
-#}

{% macro raw_parquet_views() -%}
    {#- Parsing has no graph to read the sources from: the statement is made when the run starts. -#}
    {%- if execute and var('raw_parquet_dir', '') -%}
        {{ return(adapter.dispatch('raw_parquet_views', 'salespulse')(var('raw_parquet_dir'))) }}
    {%- elif execute and target.type == 'spark' -%}
        {{ exceptions.raise_compiler_error(
            "the spark target reads raw from the Parquet mirror: ingest with SALESPULSE_RAW_PARQUET=1 "
            ~ "and set SALESPULSE_DBT_RAW_PARQUET_DIR to its folder ($SALESPULSE_HOME/raw_parquet)") }}
    {%- else -%}
        {{ return('select 1 as raw_from_the_warehouse') }}
    {%- endif -%}
{%- endmacro %}


{% macro default__raw_parquet_views(directory) -%}
    {{ exceptions.raise_compiler_error(
        "raw_parquet_dir: reading raw from Parquet is implemented for DuckDB and Spark, not for "
        ~ adapter.type() ~ " (Postgres: load the files with `salespulse load-postgres`)") }}
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


{#- Spark runs one statement per call: each is run here, the hook itself is a no-op. Spark skips
    names starting with _ when it lists a folder: the per-file tables' _schema/ stays out of their
    rows, and a whole table (no _file_id, as the mirror writes it) is read from its _whole/. -#}
{% macro spark__raw_parquet_views(directory) -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'raw' -%}
        {%- do tables.append(node.identifier) -%}
    {%- endfor %}
    {%- do run_query('create schema if not exists raw') -%}
    {%- for table in tables | sort -%}
        {%- set folder = directory ~ '/' ~ table -%}
        {%- set described = run_query(
            'describe query select * from parquet.`' ~ folder ~ '/_{schema,whole}/*.parquet`') -%}
        {%- set columns = [] -%}
        {%- for row in described.rows -%}
            {%- do columns.append('`' ~ row[0] ~ '` ' ~ row[1]) -%}
        {%- endfor -%}
        {%- set names = described.columns[0].values() -%}
        {%- set location = folder if '_file_id' in names else folder ~ '/_whole' -%}
        {%- do run_query('drop table if exists raw.`' ~ table ~ '`') -%}
        {%- do run_query(
            'create table raw.`' ~ table ~ '` (' ~ columns | join(', ') ~ ') using parquet'
            ~ " options (recursiveFileLookup 'true') location '" ~ location | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{ return('select 1 as raw_from_parquet') }}
{%- endmacro %}
