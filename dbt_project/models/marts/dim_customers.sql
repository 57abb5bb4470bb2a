with

customers as (

    select * from {{ ref('stg_raw__customers') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

kept_orders as (

    select
        customer_id,
        order_id as first_order_id,
        owner_rep_id as first_order_rep_id,
        signed_date as first_order_date

    from orders
    where not is_cancelled

),

-- A customer's first non-cancelled order makes it a new customer (新签客户) in that period.
first_orders as (

    {{ first_row('kept_orders', ['customer_id'], ['first_order_date', 'first_order_id']) }}

),

final as (

    select
        customers.customer_id,
        customers.owner_rep_id,
        first_orders.first_order_id,
        first_orders.first_order_rep_id,
        customers.customer_name,
        customers.industry,
        customers.region,
        customers.lead_source,
        first_orders.customer_id is not null as has_order,
        customers.created_date,
        first_orders.first_order_date,
        customers.created_at,
        customers._file_id

    from customers
    left join first_orders
        on customers.customer_id = first_orders.customer_id

)

select * from final
