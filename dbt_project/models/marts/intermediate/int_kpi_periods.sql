-- One row per reporting period of every grain (day, ISO week, month, quarter, year) from the
-- month of the first business date in the data (an order signed, an opportunity closed, a
-- daily report, a receivable due, a target) up to the as-of date (var as_of_date), with
-- the working days elapsed as of that date and the periods that PoP and YoY compare against.
with

dates as (

    select * from {{ ref('dim_dates') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

daily_reports as (

    select * from {{ ref('fct_daily_reports') }}

),

opportunities as (

    select * from {{ ref('fct_opportunity_history') }}

),

targets as (

    select * from {{ ref('fct_targets') }}

),

receivables as (

    select * from {{ ref('fct_receivables') }}

),

activity_dates as (

    select min(signed_date) as activity_date from orders
    union all
    select min(report_date) as activity_date from daily_reports
    union all
    -- Closing dates, not snapshot dates: one snapshot of a CRM's whole history, taken today,
    -- covers deals closed years before it.
    select min(cast(closed_at as date)) as activity_date from opportunities
    union all
    select min(due_date) as activity_date from receivables
    union all
    select min(period_start) as activity_date from targets

),

reporting_window as (

    select cast(date_trunc('month', min(activity_date)) as date) as window_start
    from activity_dates

),

calendar_days as (

    select
        dates.*,
        dates.is_workday and dates.date_day <= {{ as_of_date() }} as is_elapsed_workday,
        cast(date_trunc('year', dates.date_day) as date) as year_start,
        -- 环比 for a day compares with the previous working day.
        max(case when dates.is_workday then dates.date_day end) over (
            order by dates.date_day rows between unbounded preceding and 1 preceding
        ) as previous_workday

    from dates

),

days as (

    select
        'day' as grain,
        {{ format_date('date_day', '%Y-%m-%d') }} as period_label,
        date_day as period_start,
        date_day as period_end,
        cast(is_workday as integer) as workdays_in_period,
        cast(is_elapsed_workday as integer) as workdays_elapsed,
        previous_workday as previous_period_start,
        cast(date_day - interval '1 year' as date) as year_ago_period_start

    from calendar_days

),

weeks as (

    select
        'week' as grain,
        {{ format_date('iso_week_start', '%G-W%V') }} as period_label,
        iso_week_start as period_start,
        iso_week_end as period_end,
        cast(count(case when is_workday then 1 end) as integer) as workdays_in_period,
        cast(count(case when is_elapsed_workday then 1 end) as integer) as workdays_elapsed,
        cast(iso_week_start - interval '7 day' as date) as previous_period_start,
        -- The same ISO week number a year earlier: 52 weeks back, or 53 after a 53-week year.
        case
            when
                {{ iso_week_of_year("iso_week_start - interval '364 day'") }}
                = {{ iso_week_of_year('iso_week_start') }}
                then cast(iso_week_start - interval '364 day' as date)
            when
                {{ iso_week_of_year("iso_week_start - interval '371 day'") }}
                = {{ iso_week_of_year('iso_week_start') }}
                then cast(iso_week_start - interval '371 day' as date)
        end as year_ago_period_start

    from calendar_days
    group by iso_week_start, iso_week_end

),

months as (

    select
        'month' as grain,
        month_label as period_label,
        month_start as period_start,
        month_end as period_end,
        cast(count(case when is_workday then 1 end) as integer) as workdays_in_period,
        cast(count(case when is_elapsed_workday then 1 end) as integer) as workdays_elapsed,
        cast(month_start - interval '1 month' as date) as previous_period_start,
        cast(month_start - interval '1 year' as date) as year_ago_period_start

    from calendar_days
    group by month_label, month_start, month_end

),

quarters as (

    select
        'quarter' as grain,
        quarter_label as period_label,
        quarter_start as period_start,
        quarter_end as period_end,
        cast(count(case when is_workday then 1 end) as integer) as workdays_in_period,
        cast(count(case when is_elapsed_workday then 1 end) as integer) as workdays_elapsed,
        cast(quarter_start - interval '3 month' as date) as previous_period_start,
        cast(quarter_start - interval '1 year' as date) as year_ago_period_start

    from calendar_days
    group by quarter_label, quarter_start, quarter_end

),

years as (

    select
        'year' as grain,
        cast(year_number as {{ dbt.type_string() }}) as period_label,
        year_start as period_start,
        cast(year_start + interval '1 year' - interval '1 day' as date) as period_end,
        cast(count(case when is_workday then 1 end) as integer) as workdays_in_period,
        cast(count(case when is_elapsed_workday then 1 end) as integer) as workdays_elapsed,
        cast(year_start - interval '1 year' as date) as previous_period_start,
        cast(year_start - interval '1 year' as date) as year_ago_period_start

    from calendar_days
    group by year_number, year_start

),

periods as (

    select * from days
    union all
    select * from weeks
    union all
    select * from months
    union all
    select * from quarters
    union all
    select * from years

),

final as (

    select
        grain || ':' || period_label as period_id,
        grain,
        period_label,
        workdays_in_period,
        workdays_elapsed,
        cast(
            case
                when period_end < {{ as_of_date() }} then 1.0
                else {{ as_float('workdays_elapsed') }} / nullif(workdays_in_period, 0)
            end as {{ type_double() }}
        ) as time_progress,
        period_end < {{ as_of_date() }} as is_closed,
        period_start,
        period_end,
        least(period_end, {{ as_of_date() }}) as measured_through_date,
        previous_period_start,
        year_ago_period_start

    from periods
    where
        period_start <= {{ as_of_date() }}
        and period_end >= (select reporting_window.window_start from reporting_window)

)

select * from final
