{#-
    Incremental models keyed by what changed in raw since the model was last built.

    raw.ingested_files numbers every registered file, and every earlier read of a file that was
    read again (reprocess: a `superseded` row pointing at the file_id), in landing order. So what
    changed since a model's last build is the files numbered after its watermark and the files
    re-read since then. Each incremental model keeps its watermark in
    dbt_state.incremental_watermarks, written by its post-hook in the same transaction as its rows.

    A model rebuilds everything when it has no watermark, or when a file of one of its kinds was
    re-read (the earlier read's rows are gone from raw and cannot be named any more). When the
    dbt code or the pipeline's vars change, the pipeline runs the build with --full-refresh.
-#}

{% macro create_incremental_state() -%}
    {%- if not keeps_increments() -%}
    select 1 as no_incremental_state
    {%- else -%}
    create schema if not exists dbt_state;
    create table if not exists dbt_state.incremental_watermarks (
        model_name varchar primary key,
        through_file_id bigint not null,
        built_at timestamp not null
    )
    {%- endif -%}
{%- endmacro %}


{% macro incremental_watermark() -%}
    (
        select wm.through_file_id from dbt_state.incremental_watermarks as wm
        where wm.model_name = '{{ this.identifier }}'
    )
{%- endmacro %}


{#- The file ids whose rows changed since this model's watermark. -#}
{% macro changed_file_ids() -%}
    select registry.file_id from {{ ref('stg_raw__ingested_files') }} as registry
    where registry.file_id > coalesce({{ incremental_watermark() }}, -1)
    union
    select registry.superseded_by_file_id from {{ ref('stg_raw__ingested_files') }} as registry
    where
        registry.status = 'superseded'
        and registry.file_id > coalesce({{ incremental_watermark() }}, -1)
{%- endmacro %}


{#- True when this model must be rebuilt whole: no watermark, or a file of `kinds` re-read. -#}
{% macro needs_full_rebuild(kinds) -%}
    (
        {{ incremental_watermark() }} is null
        or exists (
            select 1 from {{ ref('stg_raw__ingested_files') }} as registry
            where
                registry.status = 'superseded'
                and registry.file_id > {{ incremental_watermark() }}
                and registry.kind in ('{{ kinds | join("', '") }}')
        )
    )
{%- endmacro %}


{#- Pre-hook: a model that must be rebuilt whole starts empty (its rows are all inserted again). -#}
{% macro clear_if_full_rebuild(kinds) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ needs_full_rebuild(kinds) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- Post-hook: everything registered so far is in this model now. -#}
{% macro record_incremental_watermark() -%}
    {%- if keeps_increments() -%}
    insert into dbt_state.incremental_watermarks
    select
        '{{ this.identifier }}',
        coalesce((select max(registry.file_id) from {{ ref('stg_raw__ingested_files') }} as registry), -1),
        current_timestamp
    on conflict (model_name) do update
        set through_file_id = excluded.through_file_id, built_at = excluded.built_at
    {%- endif -%}
{%- endmacro %}


{#- Where-clause of an incremental model: the `key`s that appear in rows of `kind` changed since
    its last build (every key when it must be rebuilt whole). `lineage` is the staging model with
    every raw row's key and _file_id. -#}
{% macro changed_keys(kind, key, lineage) -%}
    {{ needs_full_rebuild([kind]) }}
    or {{ key }} in (
        select changed.{{ key }} from {{ ref(lineage) }} as changed
        where changed._file_id in ({{ changed_file_ids() }})
    )
{%- endmacro %}
