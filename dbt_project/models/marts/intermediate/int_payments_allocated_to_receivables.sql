-- Every payment (回款) against the receivables (应收) it settles. A payment that names its
-- receivable settles that receivable. A payment that names only an order is allocated to that
-- order's receivables oldest due date first (FIFO): the order's order-level payments, in the
-- order they were received, fill its receivables in due-date order, and what exceeds the
-- order's total due is left unallocated. An order-level payment of an order without
-- receivables settles nothing.
with

payments as (

    select * from {{ ref('fct_payments') }}

),

receivables as (

    select * from {{ ref('fct_receivables') }}

),

receivable_level as (

    select
        payment_id,
        receivable_id,
        amount_received as allocated_amount,
        received_date

    from payments
    where receivable_id is not null

),

order_level as (

    select
        payment_id,
        order_id,
        received_date,
        sum(amount_received) over (
            partition by order_id order by received_date, payment_id
            rows between unbounded preceding and current row
        ) as paid_through,
        amount_received

    from payments
    where receivable_id is null and order_id is not null

),

receivable_ranges as (

    select
        receivable_id,
        order_id,
        sum(amount_due) over (
            partition by order_id order by due_date, receivable_id
            rows between unbounded preceding and current row
        ) as due_through,
        amount_due

    from receivables

),

-- Payment p covers (paid_through - amount, paid_through] of the order's money, receivable r
-- covers (due_through - amount_due, due_through]: the overlap is what p pays on r.
allocated_by_order as (

    select
        order_level.payment_id,
        receivable_ranges.receivable_id,
        least(order_level.paid_through, receivable_ranges.due_through)
        - greatest(
            order_level.paid_through - order_level.amount_received,
            receivable_ranges.due_through - receivable_ranges.amount_due
        ) as allocated_amount,
        order_level.received_date

    from order_level
    inner join receivable_ranges
        on order_level.order_id = receivable_ranges.order_id

),

final as (

    select
        payment_id || '>' || receivable_id as allocation_id,
        payment_id,
        receivable_id,
        cast(allocated_amount as decimal(18, 4)) as allocated_amount,
        false as is_order_level,
        received_date

    from receivable_level

    union all

    select
        payment_id || '>' || receivable_id as allocation_id,
        payment_id,
        receivable_id,
        cast(allocated_amount as decimal(18, 4)) as allocated_amount,
        true as is_order_level,
        received_date

    from allocated_by_order
    where allocated_amount > 0

)

select * from final
