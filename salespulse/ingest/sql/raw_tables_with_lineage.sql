-- The raw schema's tables, and whether each carries the lineage column _file_id (a table of
-- landed files' rows) or not (the file registry, the calendar).
select
    table_name,
    bool_or(column_name = '_file_id') as has_file_id
from information_schema.columns
where table_schema = 'raw'
group by table_name
order by table_name
