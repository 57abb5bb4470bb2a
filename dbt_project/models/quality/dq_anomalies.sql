{#-
    数据质量异常 One row per data-quality or performance finding. Late and missing reports are
    in dq_submissions; everything else flagged is here, so every flag is data:
    zero-visit streaks, activity spikes and drops against the rep's own weekday-aware baseline,
    team submission-volume drops, impossible values (including rows rejected at ingest),
    future dates, reports submitted before their day, duplicate submissions, orders and reports
    of unknown reps, orders of unknown customers, payments above their receivable, and the
    performance flags behind_pace and needs_coaching (category `performance`).
    Thresholds, and each kind's check, category and severity, are declared in
    dbt_project/quality.yml: the pipeline passes the thresholds as dbt vars (SALESPULSE_*), and
    threshold() falls back to their declared defaults. The rep's and the team's
    names are in the row (the team's as named on start_date).
-#}
{%- set n = threshold('baseline_working_days') | int -%}
{%- set z = threshold('anomaly_z') -%}
with

submissions as (

    select * from {{ ref('dq_submissions') }}

),

rep_months as (

    select * from {{ ref('kpi_rep_monthly') }}

),

team_months as (

    select * from {{ ref('kpi_team_monthly') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

reps as (

    select * from {{ ref('dim_reps') }}
    where is_current

),

team_names as (

    select * from {{ ref('int_team_names_spanned') }}

),

report_findings as (

    select * from {{ ref('int_report_findings_detected') }}

),

record_findings as (

    select * from {{ ref('int_record_findings_detected') }}

),

-- 团队提交量骤降: reports submitted by a team on a working day against its trailing baseline.
team_volumes as (

    select
        team_id,
        period_start as report_date,
        cast(count(case when status <> 'missing' then 1 end) as {{ type_double() }})
            as submitted_reports

    from submissions
    where report_type = 'daily' and team_id is not null
    group by team_id, period_start

),

team_baselines as (

    select
        *,
        count(*) over trailing_days as baseline_days,
        avg(submitted_reports) over trailing_days as baseline_mean,
        stddev_pop(submitted_reports) over trailing_days as baseline_std

    from team_volumes
    window trailing_days as (
        partition by team_id order by report_date
        rows between {{ n }} preceding and 1 preceding
    )

),

team_volume_drops as (

    select
        'team_volume_drop' as kind,
        null as rep_id,
        team_id,
        'team' as entity_type,
        team_id as entity_id,
        'daily_reports_submitted' as metric,
        '团队提交量骤降 ' || cast(submitted_reports as bigint)
        || ' daily reports submitted against a baseline of '
        || {{ fixed_text('baseline_mean', 1) }} as detail,
        submitted_reports as measured_value,
        baseline_mean as baseline_value,
        cast({{ z }} as {{ type_double() }}) as threshold_value,
        (submitted_reports - baseline_mean)
        / greatest(baseline_std, {{ var('anomaly_std_floor', 1) }}) as z_score,
        report_date as start_date,
        report_date as end_date

    from team_baselines
    where
        baseline_days >= {{ n }}
        and (submitted_reports - baseline_mean)
        / greatest(baseline_std, {{ var('anomaly_std_floor', 1) }}) <= -{{ z }}

),

-- 进度落后: completion more than var behind_pace_points behind time progress, after the
-- middle of the open month (as of the as-of date).
behind_pace as (

    select
        'behind_pace' as kind,
        rep_id,
        team_id,
        'rep' as entity_type,
        rep_id as entity_id,
        'completion_rate' as metric,
        '进度落后 ' || period_label || ': completion '
        || {{ fixed_text('100 * completion_rate', 0) }} || '%'
        || ' against time progress ' || {{ fixed_text('100 * time_progress', 0) }} || '%' as detail,
        completion_rate as measured_value,
        time_progress as baseline_value,
        time_progress - {{ threshold('behind_pace_points') }} as threshold_value,
        period_start as start_date,
        period_end as end_date

    from rep_months
    where
        not is_closed
        and time_progress > 0.5
        and completion_rate < time_progress - {{ threshold('behind_pace_points') }}

    union all

    select
        'behind_pace' as kind,
        null as rep_id,
        team_id,
        'team' as entity_type,
        team_id as entity_id,
        'completion_rate' as metric,
        '进度落后 ' || period_label || ': team completion '
        || {{ fixed_text('100 * completion_rate', 0) }} || '%'
        || ' against time progress ' || {{ fixed_text('100 * time_progress', 0) }} || '%' as detail,
        completion_rate as measured_value,
        time_progress as baseline_value,
        time_progress - {{ threshold('behind_pace_points') }} as threshold_value,
        period_start as start_date,
        period_end as end_date

    from team_months
    where
        not is_closed
        and time_progress > 0.5
        and completion_rate < time_progress - {{ threshold('behind_pace_points') }}

),

-- 需辅导: completion below var coaching_completion in two or more closed months in a row. The one
-- implementation of the rule: the monthly pack's coaching badge reads these rows.
low_months as (

    select
        rep_id,
        team_id,
        period_label,
        completion_rate,
        period_start,
        period_end,
        extract(year from period_start) * 12 + extract(month from period_start)
        - row_number() over (partition by rep_id order by period_start) as run_number

    from rep_months
    where is_closed and completion_rate < {{ threshold('coaching_completion') }}

),

needs_coaching as (

    select
        'needs_coaching' as kind,
        rep_id,
        {{ arg_max('team_id', 'period_start') }} as team_id,
        'rep' as entity_type,
        rep_id as entity_id,
        'completion_rate' as metric,
        '需辅导 completion below '
        || {{ fixed_text("100 * " ~ threshold('coaching_completion'), 0) }} || '%'
        || ' for ' || count(*) || ' months in a row: '
        || {{ ordered_string_agg(
            "period_label || ' ' || " ~ fixed_text('100 * completion_rate', 0) ~ " || '%'", "', '",
            order_by='period_start'
        ) }} as detail,
        {{ arg_max('completion_rate', 'period_start') }} as measured_value,
        cast({{ threshold('coaching_completion') }} as {{ type_double() }}) as threshold_value,
        min(period_start) as start_date,
        max(period_end) as end_date

    from low_months
    group by rep_id, run_number
    having count(*) >= 2

),

findings as (

    {{ union_by_name([
        ['report_findings', [
            'kind', 'rep_id', 'team_id', 'entity_type', 'entity_id', 'metric', 'detail',
            'measured_value', 'threshold_value', 'start_date', 'end_date', 'baseline_value',
            'z_score'
        ]],
        ['record_findings', [
            'kind', 'rep_id', 'entity_type', 'entity_id', 'metric', 'detail', 'start_date',
            'end_date', 'team_id', 'measured_value', 'threshold_value'
        ]],
        ['team_volume_drops', [
            'kind', 'rep_id', 'team_id', 'entity_type', 'entity_id', 'metric', 'detail',
            'measured_value', 'baseline_value', 'threshold_value', 'z_score', 'start_date',
            'end_date'
        ]],
        ['behind_pace', [
            'kind', 'rep_id', 'team_id', 'entity_type', 'entity_id', 'metric', 'detail',
            'measured_value', 'baseline_value', 'threshold_value', 'start_date', 'end_date'
        ]],
        ['needs_coaching', [
            'kind', 'rep_id', 'team_id', 'entity_type', 'entity_id', 'metric', 'detail',
            'measured_value', 'threshold_value', 'start_date', 'end_date'
        ]]
    ]) }}

),

attributed as (

    select
        findings.*,
        coalesce(findings.team_id, assignments.team_id) as attributed_team_id

    from findings
    left join assignments
        on
            findings.rep_id = assignments.rep_id
            and findings.start_date >= assignments.span_from
            and findings.start_date < assignments.span_to

),

final as (

    select
        findings.kind || ':' || findings.entity_type || ':' || coalesce(findings.entity_id, '')
        || ':' || coalesce(findings.metric, '') || '@'
        || coalesce({{ format_date('findings.start_date', '%Y-%m-%d') }}, '') as anomaly_id,
        findings.kind,
        -- Category and severity: those of the kind's check in dbt_project/quality.yml.
        {{ finding_kind_attribute('findings.kind', 'category') }} as category,
        {{ finding_kind_attribute('findings.kind', 'severity') }} as severity,
        findings.rep_id,
        findings.attributed_team_id as team_id,
        reps.rep_name,
        team_names.team_name,
        findings.entity_type,
        findings.entity_id,
        findings.metric,
        findings.detail,
        cast(findings.measured_value as {{ type_double() }}) as measured_value,
        cast(findings.baseline_value as {{ type_double() }}) as baseline_value,
        cast(findings.threshold_value as {{ type_double() }}) as threshold_value,
        cast(findings.z_score as {{ type_double() }}) as z_score,
        findings.start_date,
        findings.end_date

    from attributed as findings
    left join reps
        on findings.rep_id = reps.rep_id
    left join team_names
        on
            findings.attributed_team_id = team_names.team_id
            and findings.start_date >= team_names.span_from
            and findings.start_date < team_names.span_to

)

select * from final
