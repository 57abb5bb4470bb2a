with

source as (

    select * from {{ source('raw', 'roster') }}

),

renamed as (

    select
        rep_id,
        team_id,
        supervisor_id,
        name as rep_name,
        team_name,
        region,
        role,
        email,
        locale,
        hire_date,
        leave_date,
        effective_from,
        _file_id,
        _row_number,
        _loaded_at

    from source

),

latest as (

    {{ latest_file_rows('renamed', ['rep_id', 'effective_from']) }}

)

select * from latest
