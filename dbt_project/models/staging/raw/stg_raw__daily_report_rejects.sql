-- Daily reports rejected at ingest (拒收日报), one row per rejected row and reason, the text
-- values parsed back where they can be: a report rejected for an impossible value (e.g.
-- negative visits) was still submitted, and the data-quality marts must still see it.
-- The same rejected report comes back whenever its export is landed again (a re-export, a
-- copy with another line end, a reprocess): rejected_report_key names it the same each time.
with

source as (

    select * from {{ source('raw', 'daily_reports__rejects') }}

),

reasons as (

    select
        *,
        {{ split_to_rows('_reasons', "'; '", 'reason', 'reason_number') }},
        cast(
            {{ try_parse_timestamp(
                'trim(report_date)', ['%Y-%m-%d', '%Y/%m/%d', '%Y.%m.%d', '%Y%m%d']
            ) }}
            as date
        ) as parsed_report_date,
        -- What the row says, whichever file and line it came from.
        left(
            md5(
                concat_ws(
                    chr(31),
                    rep_id,
                    rep_name,
                    report_date,
                    submitted_at,
                    visits,
                    calls,
                    new_leads,
                    notes,
                    cast(_extra as {{ dbt.type_string() }})
                )
            ),
            12
        ) as row_fingerprint

    from source

),

renamed as (

    select
        _file_id || '#' || _row_number || '#' || reason_number as reject_reason_id,
        _file_id || '#' || _row_number as reject_id,
        coalesce(
            trim(rep_id) || '@' || {{ format_date('parsed_report_date', '%Y-%m-%d') }},
            'row ' || row_fingerprint
        ) as rejected_report_key,
        trim(rep_id) as rep_id,
        rep_name,
        reason,
        -- Range reasons read `<column>: '<value>' is below the minimum <bound>`.
        nullif({{ regex_extract('reason', "'^([a-z_]+): '", 1) }}, '') as reason_column,
        nullif(
            {{ regex_extract('reason', "'^[a-z_]+: ''(.*)'' is '", 1) }}, ''
        ) as reason_value_text,
        {{ try_cast_number('visits', 'bigint') }} as visits,
        {{ try_cast_number('calls', 'bigint') }} as calls,
        {{ try_cast_number('new_leads', 'bigint') }} as new_leads,
        {{ try_cast_number(
            regex_extract('reason', "'is (below the minimum|above the maximum) (.+)$'", 2),
            'double'
        ) }} as reason_bound,
        cast(reason_number as integer) as reason_number,
        {{ regex_matches(
            'reason', "'is (below the minimum|above the maximum) '"
        ) }} as is_out_of_range,
        parsed_report_date as report_date,
        {{ try_parse_timestamp('trim(submitted_at)', [
            '%Y-%m-%d %H:%M:%S',
            '%Y-%m-%d %H:%M',
            '%Y/%m/%d %H:%M:%S',
            '%Y/%m/%d %H:%M',
            '%Y-%m-%dT%H:%M:%S'
        ]) }} as submitted_at,
        _file_id,
        _row_number,
        _loaded_at

    from reasons

)

select * from renamed
