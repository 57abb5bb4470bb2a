-- Registry entries (any status but superseded) of this very landing file: same name, same
-- modification time.
select count(*) as entries
from raw.ingested_files
where file_name = $file_name and landing_mtime_ns = $mtime_ns and status <> 'superseded'
