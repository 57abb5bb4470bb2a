with

orders as (

    select * from {{ ref('stg_raw__orders') }}

),

-- The intervals hold every state a snapshot showed: the same product lines, and a line's first
-- snapshot is the start of its first interval (a tenth of the rows to read).
opportunities as (

    select * from {{ ref('fct_opportunity_history') }}

),

product_lines as (

    select
        product_line,
        true as has_orders,
        false as has_opportunities,
        signed_date as seen_date

    from orders

    union all

    select
        product_line,
        false as has_orders,
        true as has_opportunities,
        valid_from as seen_date

    from opportunities

),

final as (

    select
        product_line,
        bool_or(has_orders) as has_orders,
        bool_or(has_opportunities) as has_opportunities,
        min(seen_date) as first_seen_date

    from product_lines
    group by product_line

)

select * from final
