with

targets as (

    select * from {{ ref('stg_raw__targets') }}

),

adjustments as (

    select * from {{ ref('stg_raw__target_adjustments') }}

),

approved as (

    select * from adjustments
    where is_approved

),

-- The latest approved adjustment per target replaces its value.
latest_approved as (

    {{ first_row(
        'approved',
        ['level', 'entity_id', 'period', 'metric'],
        ['approved_at desc nulls last', '_file_id desc', 'adjustment_id desc']
    ) }}

),

-- An approved adjustment may set a target that had no original value.
combined as (

    select
        coalesce(targets.level, latest_approved.level) as level,
        coalesce(targets.entity_id, latest_approved.entity_id) as entity_id,
        coalesce(targets.period, latest_approved.period) as period,
        coalesce(targets.metric, latest_approved.metric) as metric,
        latest_approved.adjustment_id,
        targets.target_value as original_value,
        latest_approved.new_value as adjusted_value,
        latest_approved.approved_at as adjusted_at,
        targets._file_id

    from targets
    full outer join latest_approved
        on
            targets.level = latest_approved.level
            and targets.entity_id = latest_approved.entity_id
            and targets.period = latest_approved.period
            and targets.metric = latest_approved.metric

),

periods as (

    select
        *,
        case when period like '%-Q%' then 'quarter' else 'month' end as period_grain,
        case
            when period like '%-Q%'
                then make_date(
                    cast(left(period, 4) as integer),
                    cast(right(period, 1) as integer) * 3 - 2,
                    1
                )
            else cast(period || '-01' as date)
        end as period_start

    from combined

),

final as (

    select
        level || ':' || entity_id || ':' || period || ':' || metric as target_id,
        entity_id,
        adjustment_id,
        level,
        period,
        metric,
        period_grain,
        original_value,
        adjusted_value,
        coalesce(adjusted_value, original_value) as target_value,
        adjustment_id is not null as is_adjusted,
        period_start,
        cast(
            period_start
            + case when period_grain = 'quarter' then interval '3 month' else interval '1 month' end
            - interval '1 day'
            as date
        ) as period_end,
        adjusted_at,
        _file_id

    from periods

)

select * from final
