with

calendar_days as (

    select * from {{ ref('stg_raw__work_calendar_days') }}

),

periods as (

    select
        date_day,
        day_kind,
        is_workday,
        cast({{ iso_day_of_week('date_day') }} as integer) as iso_day_of_week,
        cast({{ iso_year("date_day") }} as integer) as iso_year,
        {{ format_date('date_day', '%G-W%V') }} as iso_week_label,
        {{ format_date('date_day', '%Y-%m') }} as month_label,
        cast(extract(year from date_day) as integer) || '-Q'
        || cast(extract(quarter from date_day) as integer) as quarter_label,
        cast(extract(year from date_day) as integer) as year_number,
        cast(date_trunc('week', date_day) as date) as iso_week_start,
        cast(date_trunc('month', date_day) as date) as month_start,
        cast(date_trunc('quarter', date_day) as date) as quarter_start

    from calendar_days

),

numbered as (

    select
        *,
        cast(sum(case when is_workday then 1 else 0 end) over (
            partition by iso_week_start order by date_day
        ) as integer) as workdays_elapsed_in_week,
        cast(sum(case when is_workday then 1 else 0 end) over (
            partition by month_start order by date_day
        ) as integer) as workdays_elapsed_in_month,
        cast(sum(case when is_workday then 1 else 0 end) over (
            partition by quarter_start order by date_day
        ) as integer) as workdays_elapsed_in_quarter,
        cast(count(case when is_workday then 1 end) over (
            partition by iso_week_start
        ) as integer) as workdays_in_week,
        cast(count(case when is_workday then 1 end) over (
            partition by month_start
        ) as integer) as workdays_in_month,
        cast(count(case when is_workday then 1 end) over (
            partition by quarter_start
        ) as integer) as workdays_in_quarter

    from periods

),

final as (

    select
        date_day,
        day_kind,
        iso_week_label,
        month_label,
        quarter_label,
        iso_day_of_week,
        iso_year,
        year_number,
        case when is_workday then workdays_elapsed_in_week end as workday_of_week,
        case when is_workday then workdays_elapsed_in_month end as workday_of_month,
        case when is_workday then workdays_elapsed_in_quarter end as workday_of_quarter,
        workdays_elapsed_in_week,
        workdays_elapsed_in_month,
        workdays_elapsed_in_quarter,
        workdays_in_week,
        workdays_in_month,
        workdays_in_quarter,
        is_workday,
        iso_day_of_week >= 6 as is_weekend,
        iso_week_start,
        cast(iso_week_start + interval '6 day' as date) as iso_week_end,
        month_start,
        cast(month_start + interval '1 month' - interval '1 day' as date) as month_end,
        quarter_start,
        cast(quarter_start + interval '3 month' - interval '1 day' as date) as quarter_end

    from numbered

)

select * from final
