with

reps as (

    select * from {{ ref('dim_reps') }}

),

team_rows as (

    select
        team_id,
        team_name,
        region,
        valid_from,
        rep_id

    from reps

),

-- A team's name and region are those of its most recent assignment row.
latest_team_rows as (

    {{ first_row(
        'team_rows', ['team_id'], ['valid_from desc', '(team_name is null) asc', 'rep_id asc']
    ) }}

),

current_members as (

    select
        team_id,
        cast(count(*) as bigint) as current_member_count,
        min(case when role = 'supervisor' then rep_id end) as supervisor_rep_id

    from reps
    where is_current and leave_date is null
    group by team_id

),

first_seen as (

    select
        team_id,
        min(valid_from) as first_assignment_date,
        -- A sales team has reps or a supervisor; a unit of managers only (a region's office,
        -- headquarters) is not one and gets no team KPIs.
        bool_or(role in ('rep', 'supervisor')) as is_sales_team

    from reps
    group by team_id

),

final as (

    select
        latest_team_rows.team_id,
        current_members.supervisor_rep_id,
        latest_team_rows.team_name,
        latest_team_rows.region,
        coalesce(current_members.current_member_count, 0) as current_member_count,
        current_members.team_id is not null as is_active,
        first_seen.is_sales_team,
        first_seen.first_assignment_date

    from latest_team_rows
    inner join first_seen
        on latest_team_rows.team_id = first_seen.team_id
    left join current_members
        on latest_team_rows.team_id = current_members.team_id

)

select * from final
