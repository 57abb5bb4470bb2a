{#-
    异常活动评分 Each rep's daily visits (拜访量) and calls (电话沟通量) against the rep's own
    trailing baseline (SPEC §4): the mean and population standard deviation of the rep's
    previous var baseline_working_days reports, plus a weekday effect, so that a rep who always
    calls less on Fridays is not flagged every Friday. The weekday effect is the mean residual
    (value - trailing mean, winsorised to +-anomaly_z spreads so one spike cannot teach it) of the
    rep's previous same-weekday reports (about four baselines' worth of weeks), shrunk towards 0
    by n / (n + var anomaly_weekday_shrinkage) for n such reports (a rarely seen day, such as a
    调休 Saturday, gets almost none), and soft-thresholded by var anomaly_weekday_deadband
    spreads, so that noise is not mistaken for a weekday pattern. The spread is floored at var
    anomaly_std_floor so a perfectly regular rep is not flagged for a one-unit change.
    Zero-visit streak days and impossible values are neither scored nor part of a baseline.
-#}
{%- set n = threshold('baseline_working_days') | int -%}
{%- set shrinkage = var('anomaly_weekday_shrinkage', 4) -%}
{%- set floor = var('anomaly_std_floor', 1) -%}
{%- set z = threshold('anomaly_z') -%}
{%- set deadband = var('anomaly_weekday_deadband', 0.5) -%}
{%- set weekday_reports = (4 * n / 5) | round | int -%}
with

reports as (

    select * from {{ ref('fct_daily_reports') }}

),

streaks as (

    select * from {{ ref('int_zero_visit_days_grouped_to_streaks') }}

),

eligible as (

    select
        reports.rep_id,
        reports.team_id,
        reports.visits,
        reports.calls,
        reports.report_date

    from reports
    left join streaks
        on
            reports.rep_id = streaks.rep_id
            and reports.report_date between streaks.start_date and streaks.end_date
    where
        streaks.rep_id is null
        and reports.team_id is not null
        and reports.is_workday
        and reports.report_date <= {{ as_of_date() }}
        and reports.visits between 0 and {{ threshold('max_daily_visits') }}
        and reports.calls >= 0

),

measures as (

    select
        rep_id,
        team_id,
        'visits' as metric,
        cast(visits as {{ type_double() }}) as measured_value,
        report_date

    from eligible

    union all

    select
        rep_id,
        team_id,
        'calls' as metric,
        cast(calls as {{ type_double() }}) as measured_value,
        report_date

    from eligible

),

windowed as (

    select
        rep_id,
        team_id,
        metric,
        measured_value,
        cast({{ iso_day_of_week('report_date') }} as integer) as iso_day_of_week,
        count(*) over trailing_reports as baseline_reports,
        avg(measured_value) over trailing_reports as baseline_mean,
        stddev_pop(measured_value) over trailing_reports as baseline_std,
        report_date

    from measures
    window trailing_reports as (
        partition by rep_id, metric order by report_date
        rows between {{ n }} preceding and 1 preceding
    )

),

-- How far each day sits from its baseline, winsorised to the normal band so that one spike
-- does not teach the detector that its weekday is always high.
residuals as (

    select
        *,
        greatest(
            least(
                measured_value - baseline_mean,
                {{ z }} * greatest(baseline_std, {{ floor }})
            ),
            -{{ z }} * greatest(baseline_std, {{ floor }})
        ) as residual

    from windowed

),

weekday_means as (

    select
        *,
        avg(residual) over same_weekday as weekday_residual,
        count(residual) over same_weekday as weekday_residuals

    from residuals
    window same_weekday as (
        partition by rep_id, metric, iso_day_of_week order by report_date
        rows between {{ weekday_reports }} preceding and 1 preceding
    )

),

-- Shrunk towards 0 for few same-weekday reports, and effects within the deadband treated as
-- noise (soft threshold): with no real weekday pattern the adjustment stays 0.
adjusted as (

    select
        *,
        coalesce(
            sign(weekday_residual) * greatest(
                abs(weekday_residual) * weekday_residuals
                / (weekday_residuals + {{ shrinkage }})
                - {{ deadband }} * greatest(baseline_std, {{ floor }}),
                0
            ),
            0
        ) as weekday_effect

    from weekday_means

),

final as (

    select
        rep_id || '@' || {{ format_date('report_date', '%Y-%m-%d') }} || ':' || metric
            as activity_score_id,
        rep_id,
        team_id,
        metric,
        iso_day_of_week,
        measured_value,
        cast(baseline_reports as bigint) as baseline_reports,
        baseline_mean,
        baseline_std,
        weekday_effect,
        baseline_mean + weekday_effect as expected_value,
        greatest(baseline_std, {{ floor }}) as baseline_scale,
        (measured_value - baseline_mean - weekday_effect)
        / greatest(baseline_std, {{ floor }}) as z_score,
        baseline_reports >= {{ n }} as is_scored,
        report_date

    from adjusted

)

select * from final
