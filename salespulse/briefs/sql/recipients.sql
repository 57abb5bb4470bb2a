-- Who receives a brief: the team's supervisor(s) for a team brief, the region's managers for
-- a region pack, and for the company pack the managers outside every sales region (head office),
-- else all managers.
with

current_people as (

    select * from marts.dim_reps
    where is_current and email is not null and (leave_date is null or leave_date > $as_of)

),

sales_regions as (

    select distinct region from current_people
    where role <> 'manager'

),

team_supervisors as (

    select
        rep_id,
        rep_name,
        email,
        locale
    from current_people
    where
        $scope = 'team'
        and (
            (role = 'supervisor' and team_id = $entity_id)
            or rep_id in (
                select dim_teams.supervisor_rep_id from marts.dim_teams
                where dim_teams.team_id = $entity_id
            )
        )

),

region_managers as (

    select
        rep_id,
        rep_name,
        email,
        locale
    from current_people
    where $scope = 'region' and role = 'manager' and region = $entity_id

),

head_office as (

    select
        rep_id,
        rep_name,
        email,
        locale
    from current_people
    where
        $scope = 'company'
        and role = 'manager'
        and region not in (select sales_regions.region from sales_regions)

),

company_managers as (

    select * from head_office
    union all
    select
        rep_id,
        rep_name,
        email,
        locale
    from current_people
    where $scope = 'company' and role = 'manager' and not exists (select 1 from head_office)

)

select distinct
    rep_id,
    rep_name,
    email,
    locale
from team_supervisors
union
select
    rep_id,
    rep_name,
    email,
    locale
from region_managers
union
select
    rep_id,
    rep_name,
    email,
    locale
from company_managers
order by rep_id
