-- 个人业绩跟踪: one row per rep and month up to the as-of month, for every month the rep was
-- employed (or had sales), with zeros where nothing happened. Definitions: SPEC §3.
with

months as (

    select * from {{ ref('int_months_progressed') }}

),

reps as (

    select * from {{ ref('dim_reps') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

activity as (

    select * from {{ ref('int_rep_activity_aggregated_to_months') }}

),

targets as (

    select * from {{ ref('fct_targets') }}

),

current_reps as (

    select * from reps
    where is_current

),

rep_activity as (

    select
        rep_id,
        month_label,
        sum(sales_amount) as sales_amount,
        sum(orders_count) as orders_count,
        sum(new_customers) as new_customers,
        sum(crm_new_leads) as crm_new_leads,
        sum(crm_leads_converted) as crm_leads_converted,
        sum(won_amount) as won_amount,
        sum(won_count) as won_count,
        sum(lost_count) as lost_count,
        sum(receivables_due_amount) as receivables_due_amount,
        sum(collected_amount) as collected_amount,
        sum(visits) as visits,
        sum(calls) as calls,
        sum(report_new_leads) as report_new_leads,
        sum(daily_reports_expected) as daily_reports_expected,
        sum(daily_reports_on_time) as daily_reports_on_time

    from activity
    group by rep_id, month_label

),

rep_months as (

    select
        current_reps.rep_id,
        months.month_label

    from current_reps
    inner join months
        on
            current_reps.hire_date <= months.month_end
            and (
                current_reps.leave_date is null
                or current_reps.leave_date >= months.month_start
            )

    union

    select
        rep_activity.rep_id,
        rep_activity.month_label

    from rep_activity
    inner join current_reps
        on rep_activity.rep_id = current_reps.rep_id
    inner join months
        on rep_activity.month_label = months.month_label

),

rep_targets as (

    select
        entity_id as rep_id,
        period as month_label,
        target_value as target_amount

    from targets
    where
        level = 'rep'
        and metric = 'sales_amount'
        and period_grain = 'month'

),

measured as (

    select
        rep_months.rep_id,
        rep_months.month_label,
        assignments.team_id,
        assignments.region,
        current_reps.rep_name,
        current_reps.role,
        cast(coalesce(rep_activity.sales_amount, 0) as decimal(18, 2)) as sales_amount,
        cast(coalesce(rep_activity.orders_count, 0) as bigint) as orders_count,
        rep_targets.target_amount,
        months.time_progress,
        months.workdays_in_month,
        months.workdays_elapsed,
        cast(coalesce(rep_activity.new_customers, 0) as bigint) as new_customers,
        cast(coalesce(rep_activity.report_new_leads, 0) as bigint) as new_leads,
        cast(coalesce(rep_activity.crm_new_leads, 0) as bigint) as crm_new_leads,
        cast(coalesce(rep_activity.crm_leads_converted, 0) as bigint) as crm_leads_converted,
        cast(coalesce(rep_activity.won_amount, 0) as decimal(18, 2)) as won_amount,
        cast(coalesce(rep_activity.won_count, 0) as bigint) as won_count,
        cast(coalesce(rep_activity.lost_count, 0) as bigint) as lost_count,
        cast(coalesce(rep_activity.receivables_due_amount, 0) as decimal(18, 2))
            as receivables_due_amount,
        cast(coalesce(rep_activity.collected_amount, 0) as decimal(18, 2)) as collected_amount,
        cast(coalesce(rep_activity.visits, 0) as bigint) as visits,
        cast(coalesce(rep_activity.calls, 0) as bigint) as calls,
        cast(coalesce(rep_activity.daily_reports_expected, 0) as bigint)
            as daily_reports_expected,
        cast(coalesce(rep_activity.daily_reports_on_time, 0) as bigint) as daily_reports_on_time,
        months.is_closed,
        months.month_start,
        months.month_end

    from rep_months
    inner join months
        on rep_months.month_label = months.month_label
    inner join current_reps
        on rep_months.rep_id = current_reps.rep_id
    -- The rep's team at the end of the month (or on the as-of date in the current month).
    left join assignments
        on
            rep_months.rep_id = assignments.rep_id
            and months.measured_through_date >= assignments.span_from
            and months.measured_through_date < assignments.span_to
    left join rep_activity
        on
            rep_months.rep_id = rep_activity.rep_id
            and rep_months.month_label = rep_activity.month_label
    left join rep_targets
        on
            rep_months.rep_id = rep_targets.rep_id
            and rep_months.month_label = rep_targets.month_label

),

rated as (

    select
        *,
        sales_amount / nullif(orders_count, 0) as avg_order_value,
        sales_amount / nullif(target_amount, 0) as completion_rate,
        sales_amount / nullif(target_amount, 0) - time_progress as pace_gap,
        crm_leads_converted / nullif(crm_new_leads, 0) as lead_conversion_rate,
        won_count / nullif(won_count + lost_count, 0) as win_rate,
        collected_amount / nullif(receivables_due_amount, 0) as collection_rate,
        visits / nullif(workdays_elapsed, 0) as visits_per_workday,
        calls / nullif(workdays_elapsed, 0) as calls_per_workday,
        daily_reports_on_time / nullif(daily_reports_expected, 0) as on_time_rate

    from measured

),

final as (

    select
        current_month.rep_id || '@' || current_month.month_label as rep_month_id,
        current_month.rep_id,
        current_month.team_id,
        current_month.region,
        current_month.rep_name,
        current_month.role,
        current_month.month_label,
        current_month.sales_amount,
        current_month.orders_count,
        cast(current_month.avg_order_value as decimal(18, 2)) as avg_order_value,
        current_month.target_amount,
        cast(current_month.completion_rate as double) as completion_rate,
        cast(current_month.time_progress as double) as time_progress,
        cast(current_month.pace_gap as double) as pace_gap,
        cast(
            (current_month.sales_amount - previous_month.sales_amount)
            / nullif(previous_month.sales_amount, 0)
            as double
        ) as pop_sales_amount,
        cast(
            (current_month.sales_amount - previous_year.sales_amount)
            / nullif(previous_year.sales_amount, 0)
            as double
        ) as yoy_sales_amount,
        current_month.new_customers,
        current_month.new_leads,
        current_month.crm_new_leads,
        current_month.crm_leads_converted,
        cast(current_month.lead_conversion_rate as double) as lead_conversion_rate,
        current_month.won_amount,
        current_month.won_count,
        current_month.lost_count,
        cast(current_month.win_rate as double) as win_rate,
        current_month.receivables_due_amount,
        current_month.collected_amount,
        cast(current_month.collection_rate as double) as collection_rate,
        current_month.visits,
        current_month.calls,
        cast(current_month.visits_per_workday as double) as visits_per_workday,
        cast(current_month.calls_per_workday as double) as calls_per_workday,
        current_month.daily_reports_expected,
        current_month.daily_reports_on_time,
        cast(current_month.on_time_rate as double) as on_time_rate,
        current_month.workdays_in_month,
        current_month.workdays_elapsed,
        current_month.is_closed,
        current_month.month_start,
        current_month.month_end

    from rated as current_month
    left join rated as previous_month
        on
            current_month.rep_id = previous_month.rep_id
            and current_month.month_start - interval 1 month = previous_month.month_start
    left join rated as previous_year
        on
            current_month.rep_id = previous_year.rep_id
            and current_month.month_start - interval 1 year = previous_year.month_start

)

select * from final
