-- One fingerprint per day up to the as-of date of everything the day's balances are computed
-- from: the balance spans that hold on it and the roster assignments that credit its pipeline.
-- int_rep_balances_measured_on_days rebuilds the days whose fingerprint changed since it last
-- built them (a new day, today's snapshot or payment, a late correction, a roster change) and
-- keeps the others (macros/kpi_incremental.sql).
--
-- A day's fingerprint is the sum of the state hashes of the spans holding on it, computed for all
-- days at once as a running sum of +hash where a span starts and -hash where it ends: a span
-- added, removed, cut short or changed changes exactly the days it held (or holds) on, while a
-- span that only goes on holding (span_to null) changes nothing before the new day.
with

spans as (

    select * from {{ ref('int_rep_balance_spans') }}

),

assignments as (

    select * from {{ ref('int_rep_assignments_spanned') }}

),

dates as (

    select * from {{ ref('dim_dates') }}
    where date_day <= {{ as_of_date() }}

),

assignment_states as (

    select
        *,
        {{ hash_of(['rep_assignment_id', 'rep_id', 'team_id', 'region', 'span_from']) }}
            as state_hash

    from assignments

),

held as (

    select
        span_from,
        span_to,
        state_hash
    from spans

    union all

    select
        span_from,
        span_to,
        state_hash
    from assignment_states

),

changes as (

    select
        span_from as change_date,
        cast(state_hash as {{ hash_sum_type() }}) as hash_change
    from held

    union all

    select
        span_to as change_date,
        -cast(state_hash as {{ hash_sum_type() }}) as hash_change
    from held
    where span_to is not null

),

-- Every day, and every change before the first day, so the running sum starts from all of them.
change_days as (

    select
        change_date,
        sum(hash_change) as hash_change

    from (
        select
            change_date,
            hash_change
        from changes
        where change_date <= {{ as_of_date() }}

        union all

        select
            date_day as change_date,
            0 as hash_change
        from dates
    ) as day_changes
    group by change_date

),

running as (

    select
        change_date,
        sum(hash_change) over (
            order by change_date rows between unbounded preceding and current row
        ) as holding_hash

    from change_days

),

final as (

    select
        dates.date_day,
        {{ hash_of(['running.holding_hash']) }} as fingerprint

    from dates
    inner join running
        on dates.date_day = running.change_date

)

select * from final
