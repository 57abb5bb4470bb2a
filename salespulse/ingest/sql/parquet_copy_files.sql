-- The rows of the files listed in _sp_parquet_files, one partition (so one Parquet file) per
-- file under the staging folder; salespulse/ingest/parquet.py renames each into place. Slots:
-- relation, the raw table; staging, the folder as a string literal.
copy (
    select
        raw_rows.*,
        listed.part as _sp_part
    from {relation} as raw_rows
    inner join _sp_parquet_files as listed on raw_rows._file_id = listed.file_id
) to {staging} (format parquet, partition_by (_sp_part))
