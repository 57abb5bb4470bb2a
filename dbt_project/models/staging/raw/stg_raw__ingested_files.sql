with

source as (

    select * from {{ source('raw', 'ingested_files') }}

),

renamed as (

    select
        file_id,
        duplicate_of as duplicate_of_file_id,
        superseded_by as superseded_by_file_id,
        file_name,
        sha256,
        kind,
        status,
        error,
        encoding,
        archive_path,
        size_bytes,
        rows_in_file,
        rows_loaded,
        rows_rejected,
        landed_at

    from source

)

select * from renamed
