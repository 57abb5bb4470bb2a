{#-
    Tests that scale (issue #13): the daily run tests the rows it loaded, not three years again.

    dbt wraps the model of every generic test with get_where_subquery (the `where` config). With
    the var `tested_after_file_id` set (or the environment variable
    SALESPULSE_DBT_TESTED_AFTER_FILE_ID: the daily run passes this way the newest file its
    previous successful build had tested), a model that carries raw lineage (a documented
    `_file_id` column) is tested on the rows of the files registered since. Without either -
    `make test`, the weekly and monthly runs, `salespulse dbt test`, a full build - every row is
    tested. Singular tests (the row-flow audit, the reconciliations) always read everything.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do filters.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set after = var('tested_after_file_id', none)
        or env_var('SALESPULSE_DBT_TESTED_AFTER_FILE_ID', '') -%}
    {%- if after is not none and after != '' and execute -%}
        {#- The model's documented columns say whether it carries lineage (no query per test). -#}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ relation.identifier) -%}
        {%- set lineage = node is not none and '_file_id' in node.columns -%}
        {%- if lineage -%}
            {%- do filters.append('_file_id > ' ~ (after | int)) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if filters -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ filters | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
