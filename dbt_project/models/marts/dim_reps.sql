with

assignments as (

    select * from {{ ref('stg_raw__roster_assignments') }}

),

dated as (

    select
        *,
        lead(effective_from) over (
            partition by rep_id order by effective_from
        ) as next_effective_from,
        row_number() over (
            partition by rep_id order by effective_from desc
        ) = 1 as is_current

    from assignments

),

-- Rep-level attributes (name, e-mail, hire and leave dates) come from the current assignment:
-- a leave date is typically only filled on the latest roster row.
current_reps as (

    select
        rep_id,
        rep_name,
        email,
        locale,
        hire_date,
        leave_date

    from dated
    where is_current

),

final as (

    select
        dated.rep_id || '@' || {{ format_date('dated.effective_from', '%Y-%m-%d') }}
            as rep_assignment_id,
        dated.rep_id,
        dated.team_id,
        dated.supervisor_id,
        current_reps.rep_name,
        dated.team_name,
        dated.region,
        dated.role,
        current_reps.email,
        current_reps.locale,
        dated.is_current,
        current_reps.hire_date,
        current_reps.leave_date,
        dated.effective_from as valid_from,
        dated.next_effective_from as valid_to,
        dated._file_id

    from dated
    inner join current_reps
        on dated.rep_id = current_reps.rep_id

)

select * from final
