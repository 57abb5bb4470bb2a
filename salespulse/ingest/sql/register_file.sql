-- One file's outcome into the registry (executed once per file).
insert into raw.ingested_files (
    file_id, file_name, sha256, size_bytes, kind, landed_at, status, rows_in_file,
    rows_loaded, rows_rejected, error, warnings, encoding, archive_path, duplicate_of,
    file_date, landing_mtime_ns
) values (
    $file_id, $file_name, $sha256, $size_bytes, $kind, $landed_at, $status, $rows_in_file,
    $rows_loaded, $rows_rejected, $error, $warnings, $encoding, $archive_path, $duplicate_of,
    $file_date, $landing_mtime_ns
)
