-- A team's name over time, from the roster rows that carry it, with validity spans covering
-- every date: the first name also applies before the team's first roster row, the latest one
-- never ends. Join on `span_from <= day and day < span_to` for the name as of a day.
with

reps as (

    select * from {{ ref('dim_reps') }}

),

-- One name per team and roster date: several reps' rows may start the same day.
named_on as (

    select
        team_id,
        valid_from,
        min(team_name) as team_name

    from reps
    where team_name is not null
    group by team_id, valid_from

),

marked as (

    select
        team_id,
        team_name,
        valid_from,
        coalesce(
            lag(team_name) over (partition by team_id order by valid_from) <> team_name,
            lag(team_name) over (partition by team_id order by valid_from) is null
        ) as is_change

    from named_on

),

-- Only the dates the name changes on.
changes as (

    select
        team_id,
        team_name,
        valid_from

    from marked
    where is_change

),

spanned as (

    select
        team_id || '@' || {{ format_date('valid_from', '%Y-%m-%d') }} as team_name_span_id,
        team_id,
        team_name,
        case
            when row_number() over (partition by team_id order by valid_from) = 1
                then date '1900-01-01'
            else valid_from
        end as span_from,
        coalesce(
            lead(valid_from) over (partition by team_id order by valid_from), date '9999-12-31'
        ) as span_to

    from changes

)

select * from spanned
