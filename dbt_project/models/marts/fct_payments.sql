with

payments as (

    select * from {{ ref('stg_raw__payments') }}

),

receivables as (

    select * from {{ ref('stg_raw__receivables') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

final as (

    select
        payments.payment_id,
        payments.receivable_id,
        coalesce(payments.order_id, receivables.order_id) as order_id,
        orders.customer_id,
        orders.owner_rep_id,
        orders.team_id,
        orders.region,
        orders.product_line,
        payments.amount_received,
        payments.receivable_id is null as is_order_level,
        receivables.due_date as receivable_due_date,
        payments.received_date,
        payments._file_id

    from payments
    left join receivables
        on payments.receivable_id = receivables.receivable_id
    left join orders
        on coalesce(payments.order_id, receivables.order_id) = orders.order_id

)

select * from final
