-- dim_reps with validity spans that cover every date: the first assignment also applies
-- before its valid_from (orders signed before the first roster row still find a team) and
-- the current one has an open end. Join on `span_from <= day and day < span_to`.
with

reps as (

    select * from {{ ref('dim_reps') }}

),

spanned as (

    select
        rep_assignment_id,
        rep_id,
        team_id,
        region,
        case
            when row_number() over (partition by rep_id order by valid_from) = 1
                then date '1900-01-01'
            else valid_from
        end as span_from,
        coalesce(valid_to, date '9999-12-31') as span_to

    from reps

)

select * from spanned
