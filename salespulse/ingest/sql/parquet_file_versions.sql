-- The Parquet file each loaded file's rows go to (salespulse/ingest/parquet.py): the folder of
-- the day it was loaded, named by its file_id and the load time of its rows in microseconds,
-- so that a file read again under the same file_id gets another name. Slot: relation, the raw
-- table.
select
    _file_id as file_id,
    'load_date=' || strftime(min(_loaded_at), '%Y-%m-%d') || '/' || _file_id || '-'
    || epoch_us(max(_loaded_at)) || '.parquet' as file_name,
    count(*) as row_count
from {relation}
group by _file_id
