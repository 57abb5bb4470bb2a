with

lines as (

    select * from {{ ref('stg_raw__orders') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

counted as (

    select
        *,
        -- orders_count counts orders, not lines: an order counts once, on its first line that
        -- is not cancelled, so the count adds up across days, reps and teams.
        not is_cancelled and row_number() over (
            partition by order_id, is_cancelled order by line_id nulls first, _row_number
        ) = 1 as is_order_count_line

    from lines

),

final as (

    select
        counted.order_line_id,
        counted.order_id,
        counted.line_id,
        counted.customer_id,
        counted.opportunity_id,
        counted.owner_rep_id,
        assignments.rep_assignment_id,
        assignments.team_id,
        assignments.region,
        counted.product_line,
        counted.status,
        counted.amount,
        counted.is_cancelled,
        counted.is_order_count_line,
        counted.signed_date,
        counted._file_id,
        counted._row_number

    from counted
    left join assignments
        on
            counted.owner_rep_id = assignments.rep_id
            and counted.signed_date >= assignments.span_from
            and counted.signed_date < assignments.span_to

)

select * from final
