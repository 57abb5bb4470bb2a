-- The registry entries of the files to read again ($file_ids), in landing order.
select
    file_id,
    file_name,
    archive_path,
    landed_at,
    file_date,
    status
from raw.ingested_files
where file_id in (select unnest($file_ids))
order by file_id
