-- A file about to be registered again under its own file_id: its earlier outcome moves to a
-- new registry row ($superseded_id), marked superseded and pointing at the file ($file_id).
insert into raw.ingested_files by name
select
    * replace (
        $superseded_id as file_id,
        'superseded' as status,
        $file_id as superseded_by
    )
from raw.ingested_files
where file_id = $file_id
