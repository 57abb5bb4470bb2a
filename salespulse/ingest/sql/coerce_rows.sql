-- Typing and row rules of a batch of files read with the same header mapping (coerce.py): per
-- input row `_file_id`, `_row_number`, the typed columns, `_extra` and `_reasons` (empty when
-- the row is good). Duplicate rows are looked for within each file only; repeated keys are
-- marked afterwards on the result (mark_duplicate_keys.sql).
-- Slots (filled by coerce.build_query, per contract column where it says so): source, the
-- input relation (text columns c0..cN); text_columns, each column's text as "<name>__text";
-- value_columns, each column's trimmed text (null when empty) as "<name>__value";
-- typed_columns, each column typed from its value as "<name>"; extra, the JSON of unknown
-- columns; all_text, every text column read; reasons, the messages of the rules a row breaks;
-- helper_names, the "<name>__text" and "<name>__value" columns, not in the result.
with

-- A row repeating an earlier row of its file has the same hash: only rows whose hash repeats
-- are compared column by column, instead of partitioning every row by all its text.
repeated_hashes as (
    select
        _file_id,
        hash({all_text}) as row_hash
    from {source}
    group by all
    having count(*) > 1
),

same_rows as (
    select
        _file_id,
        _row_number,
        min(_row_number) over (partition by _file_id, {all_text}) as first_same_row
    from {source}
    where (_file_id, hash({all_text})) in (
        select
            repeated_hashes._file_id,
            repeated_hashes.row_hash
        from repeated_hashes
    )
),

cleaned as (
    select
        _file_id,
        _row_number,
        {text_columns},
        {extra} as _extra
    from {source}
),

valued as (
    select
        *,
        {value_columns}
    from cleaned
),

typed as (
    select
        *,
        {typed_columns}
    from valued
),

checked as (
    select
        typed.*,
        {reasons} as _base_reasons
    from typed
),

judged as (
    select
        checked.*,
        coalesce(same_rows.first_same_row, checked._row_number) as first_same_row
    from checked
    left join same_rows
        on checked._file_id = same_rows._file_id and checked._row_number = same_rows._row_number
)

select
    * exclude (_base_reasons, first_same_row, {helper_names}),
    case
        when first_same_row < _row_number
            then _base_reasons || ['duplicate of row ' || first_same_row || ' in the same file']
        else _base_reasons
    end as _reasons
from judged
