with

source as (

    select * from {{ source('raw', 'work_calendar') }}

),

renamed as (

    select
        date_day,
        day_kind,
        is_workday

    from source

)

select * from renamed
