-- One row per order from its lines (an export without line ids has one line per order). The
-- order is cancelled when every line is; its amount is what its lines that are not cancelled
-- add up to (a fully cancelled order keeps the sum of its lines, and counts for nothing). The
-- customer, opportunity, owner and product line are the first line's.
with

lines as (

    select * from {{ ref('stg_raw__orders') }}

),

ordered as (

    select
        *,
        row_number() over (
            partition by order_id order by line_id nulls first, _row_number
        ) as line_number

    from lines

),

final as (

    select
        order_id,
        max(case when line_number = 1 then customer_id end) as customer_id,
        max(case when line_number = 1 then opportunity_id end) as opportunity_id,
        max(case when line_number = 1 then owner_rep_id end) as owner_rep_id,
        max(case when line_number = 1 then product_line end) as product_line,
        case when bool_and(is_cancelled) then 'cancelled' else 'signed' end as status,
        cast(
            case
                when bool_and(is_cancelled) then sum(amount)
                else sum(case when not is_cancelled then amount else 0 end)
            end as decimal(18, 4)
        ) as amount,
        cast(count(*) as bigint) as line_count,
        bool_and(is_cancelled) as is_cancelled,
        min(signed_date) as signed_date,
        max(_file_id) as _file_id,
        max(_loaded_at) as _loaded_at

    from ordered
    group by order_id

)

select * from final
