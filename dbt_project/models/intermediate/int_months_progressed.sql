-- One row per calendar month up to the as-of month, with the working days elapsed as of
-- var as_of_date (the as-of day included): all of them for a closed month.
with

dates as (

    select * from {{ ref('dim_dates') }}

),

months as (

    select
        month_label,
        month_start,
        month_end,
        max(workdays_in_month) as workdays_in_month,
        cast(count_if(is_workday and date_day <= {{ as_of_date() }}) as integer)
            as workdays_elapsed

    from dates
    where month_start <= {{ as_of_date() }}
    group by month_label, month_start, month_end

),

final as (

    select
        month_label,
        workdays_in_month,
        workdays_elapsed,
        case
            when month_end < {{ as_of_date() }} then 1.0
            else workdays_elapsed / nullif(workdays_in_month, 0)
        end as time_progress,
        month_end < {{ as_of_date() }} as is_closed,
        month_start,
        month_end,
        least(month_end, {{ as_of_date() }}) as measured_through_date

    from months

)

select * from final
