-- Lines that could not be split into the header's columns, into raw.<kind>__rejects with the
-- line as read. Slot: rejects_table (raw."<kind>__rejects"). Parameter: $loaded_at.
insert into {rejects_table} (_extra, _reasons, _file_id, _row_number, _loaded_at)
select
    json_object('raw_line', line) as _extra,
    reason as _reasons,
    f as _file_id,
    n as _row_number,
    $loaded_at as _loaded_at
from ragged_rows
order by f, n
