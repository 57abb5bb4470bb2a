-- The registered files whose content counts as seen (not duplicates, superseded or refused
-- entries), newest first.
select
    sha256,
    file_id,
    kind,
    status,
    file_name,
    landing_mtime_ns
from raw.ingested_files
where status not in ('duplicate', 'superseded', 'refused')
order by file_id desc
