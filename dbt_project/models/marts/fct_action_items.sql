with

action_items as (

    select * from {{ ref('stg_raw__action_items') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

    where is_current

),

final as (

    select
        action_items.action_id,
        action_items.owner_rep_id,
        reps.team_id as owner_team_id,
        action_items.review_type,
        action_items.review_period,
        action_items.problem,
        action_items.measure,
        action_items.status,
        action_items.status in ('open', 'in_progress') as is_open,
        action_items.status in ('open', 'in_progress')
        and action_items.due_date < {{ as_of_date() }} as is_overdue,
        action_items.due_date,
        action_items.closed_date,
        action_items._file_id

    from action_items
    left join reps
        on action_items.owner_rep_id = reps.rep_id

)

select * from final
