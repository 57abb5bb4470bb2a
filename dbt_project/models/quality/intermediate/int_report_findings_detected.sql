{#-
    Findings on the reports themselves (SPEC §4), one row each, before ids and severities are
    added in dq_anomalies: zero-visit streaks, activity spikes and drops against the rep's own
    weekday-aware baseline, impossible values (rows rejected at ingest for an out-of-range value,
    and visits above var max_daily_visits), other rejected reports, reports submitted before
    their day, and duplicate submissions.
-#}
{%- set z = threshold('anomaly_z') -%}
with

all_submissions as (

    select * from {{ ref('int_report_submissions_unioned') }}

),

streaks as (

    select * from {{ ref('int_zero_visit_days_grouped_to_streaks') }}

),

activity_scores as (

    select * from {{ ref('int_daily_activity_scored_against_baselines') }}

),

daily_rejects as (

    select * from {{ ref('stg_raw__daily_report_rejects') }}

),

daily_reports as (

    select * from {{ ref('fct_daily_reports') }}

),

-- 连续零拜访
zero_visit_streaks as (

    select
        'zero_visit_streak' as kind,
        rep_id,
        team_id,
        'rep' as entity_type,
        rep_id as entity_id,
        'visits' as metric,
        '连续零拜访 visits = 0 on ' || streak_days || ' consecutive working days' as detail,
        cast(streak_days as {{ type_double() }}) as measured_value,
        cast({{ threshold('zero_visit_streak_days') }} as {{ type_double() }}) as threshold_value,
        start_date,
        end_date

    from streaks

),

-- 活动异常: |z| against the rep's own trailing, weekday-adjusted baseline.
activity_anomalies as (

    select
        case when z_score > 0 then 'activity_spike' else 'activity_drop' end as kind,
        rep_id,
        team_id,
        'daily_report' as entity_type,
        rep_id || '@' || {{ format_date('report_date', '%Y-%m-%d') }} as entity_id,
        metric,
        case when z_score > 0 then '活动激增 ' else '活动骤降 ' end
        || metric || ' = ' || cast(measured_value as bigint)
        || ' against a baseline of ' || {{ fixed_text('expected_value', 1) }}
        || ' (z = ' || {{ fixed_text('z_score', 1) }} || ')' as detail,
        measured_value,
        expected_value as baseline_value,
        cast({{ z }} as {{ type_double() }}) as threshold_value,
        z_score,
        report_date as start_date,
        report_date as end_date

    from activity_scores
    where is_scored and abs(z_score) >= {{ z }}

),

-- 不可能的数值: rejected at ingest (out of the contract's range), or above the plausible maximum.
-- One finding per rejected report and column however often it was exported (the same row
-- again in a later file, twice in one file, reprocessed): the latest file's row says it.
rejected_reasons as (

    select
        case when is_out_of_range then 'impossible_value' else 'rejected_report' end as kind,
        rep_id,
        rejected_report_key as entity_id,
        coalesce(reason_column, '') as metric_key,
        reason_column as metric,
        reason,
        reason_value_text,
        reason_bound,
        reason_number,
        report_date,
        _file_id,
        _row_number

    from daily_rejects

),

latest_rejected_reasons as (

    {{ latest_file_rows(
        'rejected_reasons', ['kind', 'entity_id', 'metric_key'], ['reason_number']
    ) }}

),

rejected_values as (

    select
        kind,
        rep_id,
        'daily_report' as entity_type,
        entity_id,
        metric,
        '数值异常 rejected at ingest: ' || reason as detail,
        {{ try_cast_number('reason_value_text', 'double') }} as measured_value,
        reason_bound as threshold_value,
        report_date as start_date,
        report_date as end_date

    from latest_rejected_reasons

),

implausible_values as (

    select
        'impossible_value' as kind,
        rep_id,
        'daily_report' as entity_type,
        daily_report_id as entity_id,
        'visits' as metric,
        '数值异常 visits = ' || visits || ' is above the maximum '
        || {{ threshold('max_daily_visits') }} || ' a day' as detail,
        cast(visits as {{ type_double() }}) as measured_value,
        cast({{ threshold('max_daily_visits') }} as {{ type_double() }}) as threshold_value,
        report_date as start_date,
        report_date as end_date

    from daily_reports
    where visits > {{ threshold('max_daily_visits') }}

),

-- 提前提交: submitted before the day (or the ISO week) it reports on.
early_submissions as (

    select
        'submitted_before_day' as kind,
        rep_id,
        report_type || '_report' as entity_type,
        rep_id || '@' || {{ format_date('period_start', '%Y-%m-%d') }} as entity_id,
        'submitted_at' as metric,
        '提前提交 ' || report_type || ' report for ' || {{ format_date('period_start', '%Y-%m-%d') }}
        || ' submitted at ' || {{ format_date('min(submitted_at)', '%Y-%m-%d %H:%M') }} as detail,
        period_start as start_date,
        period_start as end_date

    from all_submissions
    where cast(submitted_at as date) < period_start
    group by report_type, rep_id, period_start

),

-- 重复提交: more than one distinct submission for one rep and day (or week). The periods are
-- found first: listing the submission times of every period (1.7 M at the L org) to keep the
-- few with two cost seconds.
duplicated_periods as (

    select
        report_type,
        rep_id,
        period_start

    from all_submissions
    group by report_type, rep_id, period_start
    having count(distinct submitted_at) > 1

),

duplicates as (

    select
        'duplicate_submission' as kind,
        all_submissions.rep_id,
        all_submissions.report_type || '_report' as entity_type,
        all_submissions.rep_id || '@'
        || {{ format_date('all_submissions.period_start', '%Y-%m-%d') }} as entity_id,
        'submitted_at' as metric,
        '重复提交 ' || count(distinct all_submissions.submitted_at) || ' submissions: '
        || {{ ordered_string_agg(
            format_date('all_submissions.submitted_at', '%Y-%m-%d %H:%M:%S'), "', '", distinct=true
        ) }} as detail,
        cast(count(distinct all_submissions.submitted_at) as {{ type_double() }}) as measured_value,
        1.0 as threshold_value,
        all_submissions.period_start as start_date,
        all_submissions.period_start as end_date

    from all_submissions
    where
        exists (
            select 1 from duplicated_periods
            where
                all_submissions.report_type is not distinct from duplicated_periods.report_type
                and all_submissions.rep_id is not distinct from duplicated_periods.rep_id
                and all_submissions.period_start
                is not distinct from duplicated_periods.period_start
        )
    group by all_submissions.report_type, all_submissions.rep_id, all_submissions.period_start

),

final as (

    {{ union_by_name([
        ['zero_visit_streaks', [
            'kind', 'rep_id', 'team_id', 'entity_type', 'entity_id', 'metric', 'detail',
            'measured_value', 'threshold_value', 'start_date', 'end_date'
        ]],
        ['activity_anomalies', [
            'kind', 'rep_id', 'team_id', 'entity_type', 'entity_id', 'metric', 'detail',
            'measured_value', 'baseline_value', 'threshold_value', 'z_score', 'start_date',
            'end_date'
        ]],
        ['rejected_values', [
            'kind', 'rep_id', 'entity_type', 'entity_id', 'metric', 'detail', 'measured_value',
            'threshold_value', 'start_date', 'end_date'
        ]],
        ['implausible_values', [
            'kind', 'rep_id', 'entity_type', 'entity_id', 'metric', 'detail', 'measured_value',
            'threshold_value', 'start_date', 'end_date'
        ]],
        ['early_submissions', [
            'kind', 'rep_id', 'entity_type', 'entity_id', 'metric', 'detail', 'start_date',
            'end_date'
        ]],
        ['duplicates', [
            'kind', 'rep_id', 'entity_type', 'entity_id', 'metric', 'detail', 'measured_value',
            'threshold_value', 'start_date', 'end_date'
        ]]
    ]) }}

)

select * from final
