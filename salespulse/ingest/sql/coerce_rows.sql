-- Typing and row rules of a batch of files read with the same header mapping (coerce.py): per
-- input row `_file_id`, `_row_number`, the typed columns, `_extra` and `_reasons` (empty when
-- the row is good). Duplicates and repeated keys are looked for within each file only.
-- Slots (filled by coerce.build_query, per contract column where it says so): source, the
-- input relation (text columns c0..cN); text_columns, each column's text as "<name>__text";
-- typed_columns, each column typed as "<name>"; extra, the JSON of unknown columns; all_text,
-- every text column read; reasons, the messages of the rules a row breaks; first_good_row, the
-- first good row of each key in its file (null when repeated keys are allowed); key_label,
-- `key=value, ...`; text_names, the "<name>__text" columns, not in the result.
with

typed as (
    select
        _file_id,
        _row_number,
        {text_columns},
        {typed_columns},
        {extra} as _extra,
        min(_row_number) over (partition by _file_id, {all_text}) as first_same_row
    from {source}
),

checked as (
    select
        typed.*,
        {reasons} as _base_reasons
    from typed
),

keyed as (
    select
        *,
        {first_good_row} as first_good_key
    from checked
)

select
    * exclude (_base_reasons, first_same_row, first_good_key, {text_names}),
    case
        when first_same_row < _row_number
            then _base_reasons || ['duplicate of row ' || first_same_row || ' in the same file']
        when len(_base_reasons) = 0 and coalesce(first_good_key < _row_number, false)
            then ['duplicate key (' || {key_label} || ') of row ' || first_good_key || ' in the same file']
        else _base_reasons
    end as _reasons
from keyed
