-- A batch's good rows (no reasons) into raw.<kind>. Slots: raw_table (raw."<kind>"), columns
-- (the contract's columns, quoted). Parameter: $loaded_at.
insert into {raw_table} ({columns}, _extra, _file_id, _row_number, _loaded_at)
select
    {columns},
    _extra,
    _file_id,
    _row_number,
    $loaded_at as _loaded_at
from _typed
where len(_reasons) = 0
order by _file_id, _row_number
