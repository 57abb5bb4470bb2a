with

receivables as (

    select * from {{ ref('stg_raw__receivables') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

payments as (

    select * from {{ ref('stg_raw__payments') }}

),

paid as (

    select
        receivable_id,
        cast(sum(amount_received) as decimal(18, 4)) as amount_paid,
        max(received_date) as last_received_date

    from payments
    where receivable_id is not null
    group by receivable_id

),

final as (

    select
        receivables.receivable_id,
        receivables.order_id,
        orders.customer_id,
        orders.owner_rep_id,
        orders.team_id,
        orders.region,
        orders.product_line,
        receivables.amount_due,
        coalesce(paid.amount_paid, 0) as amount_paid,
        cast(receivables.amount_due - coalesce(paid.amount_paid, 0) as decimal(18, 4))
            as amount_outstanding,
        coalesce(paid.amount_paid, 0) > receivables.amount_due as is_overpaid,
        coalesce(orders.is_cancelled, false) as is_order_cancelled,
        receivables.due_date,
        paid.last_received_date,
        receivables._file_id,
        receivables._row_number

    from receivables
    left join orders
        on receivables.order_id = orders.order_id
    left join paid
        on receivables.receivable_id = paid.receivable_id

)

select * from final
