-- A batch's rejected rows into raw.<kind>__rejects, with their original text and reasons.
-- Slots: rejects_table (raw."<kind>__rejects"), columns (the contract's columns, quoted),
-- source_columns (the input column each was read from, input_row.cN, or null when not in the file).
-- Parameter: $loaded_at.
insert into {rejects_table} ({columns}, _extra, _reasons, _file_id, _row_number, _loaded_at)
select
    {source_columns},
    typed._extra,
    array_to_string(typed._reasons, '; ') as _reasons,
    typed._file_id,
    typed._row_number,
    $loaded_at as _loaded_at
from _typed as typed
inner join input_rows as input_row
    on typed._file_id = input_row._file_id and typed._row_number = input_row._row_number
where len(typed._reasons) > 0
order by typed._file_id, typed._row_number
