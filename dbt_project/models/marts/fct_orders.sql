with

orders as (

    select * from {{ ref('int_orders_rolled_up_from_lines') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

final as (

    select
        orders.order_id,
        orders.customer_id,
        orders.opportunity_id,
        orders.owner_rep_id,
        assignments.rep_assignment_id,
        assignments.team_id,
        assignments.region,
        orders.product_line,
        orders.status,
        orders.amount,
        orders.line_count,
        orders.is_cancelled,
        orders.signed_date,
        {{ format_date('orders.signed_date', '%Y-%m') }} as signed_month,
        orders._file_id

    from orders
    left join assignments
        on
            orders.owner_rep_id = assignments.rep_id
            and orders.signed_date >= assignments.span_from
            and orders.signed_date < assignments.span_to

)

select * from final
