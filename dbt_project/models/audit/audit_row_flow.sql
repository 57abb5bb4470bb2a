-- Where every raw row and every amount went (SPEC §7): per input kind and file, the rows and
-- amounts in raw, what the KPI marts count, what is left out and why, and what is unexplained.
--
-- This model reads the raw tables itself, not staging: it audits staging. A row is
-- `superseded` by a rule written here on raw (a later file with the same key, a later
-- submission, a later snapshot), `counted` only when the row is found in the fact the KPI marts
-- sum, with the KPI marts' own filters, and `unexplained` when neither a named reason nor the
-- fact accounts for it. The kind-level rows (file_id null) compare what the facts count with
-- the company KPI marts' totals, so a loss between facts and marts shows too.
--
-- The kinds with amounts are traced one by one below; every other input kind (raw_kinds(),
-- written from the contracts by `salespulse sources`) is accounted for by rows, a new kind too.
{%- set as_of = as_of_date() %}
{%- set traced_with_amounts = [
    'daily_reports', 'opportunities', 'orders', 'receivables', 'payments'] %}
{%- set kinds = raw_kinds() %}
{%- set rows_only_kinds = kinds | reject('in', traced_with_amounts) | sort %}
with

files as (

    select * from {{ ref('stg_raw__ingested_files') }}

),

roster_reps as (

    select distinct rep_id from {{ ref('stg_raw__roster_assignments') }}

),

periods as (

    select * from {{ ref('int_kpi_periods') }}

),

company_monthly as (

    select * from {{ ref('kpi_company_monthly') }}

),

window_end as (

    -- The last day the monthly KPI marts cover: the end of the as-of month.
    select max(period_end) as last_day from periods
    where grain = 'month'

),

-- orders: amount, counted in sales_amount ------------------------------------------------
raw_orders as (

    select
        *,
        max(_file_id) over (partition by order_id) as latest_file_id

    from {{ source('raw', 'orders') }}

),

order_lines as (

    select * from {{ ref('fct_order_lines') }}
    where not is_cancelled and team_id is not null and signed_date <= {{ as_of }}

),

orders_traced as (

    select
        'orders' as kind,
        raw_orders._file_id as file_id,
        'amount' as measure,
        raw_orders.amount,
        case
            when raw_orders._file_id < raw_orders.latest_file_id then 'superseded'
            when raw_orders.status = 'cancelled' then 'cancelled'
            when raw_orders.owner_rep_id not in (select roster_reps.rep_id from roster_reps)
                then 'unknown_rep'
            when raw_orders.signed_date > {{ as_of }} then 'outside_reporting_window'
            when order_lines.order_line_id is not null then 'counted'
            else 'unexplained'
        end as row_outcome,
        cast(null as {{ dbt.type_string() }}) as amount_outcome,
        1 as row_count

    from raw_orders
    left join order_lines
        on
            raw_orders._file_id = order_lines._file_id
            and raw_orders._row_number = order_lines._row_number

),

-- daily reports: visits, counted in the visit sums ---------------------------------------
raw_daily_reports as (

    select
        *,
        row_number() over (
            partition by rep_id, report_date
            order by _file_id desc, submitted_at desc, _row_number desc
        ) > 1 as is_superseded

    from {{ source('raw', 'daily_reports') }}

),

daily_reports as (

    select * from {{ ref('fct_daily_reports') }}
    where team_id is not null and report_date <= {{ as_of }}

),

daily_reports_traced as (

    select
        'daily_reports' as kind,
        raw_daily_reports._file_id as file_id,
        'visits' as measure,
        cast(raw_daily_reports.visits as decimal(18, 4)) as amount,
        case
            when raw_daily_reports.is_superseded then 'superseded'
            when raw_daily_reports.rep_id not in (select roster_reps.rep_id from roster_reps)
                then 'unknown_rep'
            when raw_daily_reports.report_date > {{ as_of }} then 'outside_reporting_window'
            when daily_reports.daily_report_id is not null then 'counted'
            else 'unexplained'
        end as row_outcome,
        -- The value only: a report with impossible visits still counts as submitted.
        case
            when daily_reports.is_visits_impossible then 'impossible_value'
        end as amount_outcome,
        1 as row_count

    from raw_daily_reports
    left join daily_reports
        on
            raw_daily_reports._file_id = daily_reports._file_id
            and raw_daily_reports._row_number = daily_reports._row_number

),

-- opportunities: amount, counted in won_amount from each deal's latest snapshot ------------
-- Each deal's latest raw row: its latest snapshot date, then the latest file, then the last row
-- (a group-by: a window over every raw row cost 6 s at the L org). Every other row is superseded.
latest_opportunity_rows as (

    select
        opportunity_id,
        {{ greatest_row_fields(
            ['snapshot_date', '_file_id', '_row_number'], ['_file_id', '_row_number']
        ) }}

    from {{ source('raw', 'opportunities') }}
    group by opportunity_id

),

raw_opportunities as (

    select
        raw_rows.*,
        latest.opportunity_id is null as is_superseded

    from {{ source('raw', 'opportunities') }} as raw_rows
    left join latest_opportunity_rows as latest
        on
            raw_rows.opportunity_id = latest.opportunity_id
            and raw_rows._file_id = latest.latest__file_id
            and raw_rows._row_number = latest.latest__row_number

),

closed_opportunities as (

    select * from {{ ref('fct_opportunity_history') }}
    where is_latest_snapshot and status in ('won', 'lost')

),

opportunities_traced as (

    select
        'opportunities' as kind,
        raw_opportunities._file_id as file_id,
        'amount' as measure,
        raw_opportunities.amount,
        case
            when raw_opportunities.is_superseded then 'superseded'
            when raw_opportunities.status = 'open' then 'not_closed'
            when raw_opportunities.owner_rep_id not in (select roster_reps.rep_id from roster_reps)
                then 'unknown_rep'
            when cast(raw_opportunities.closed_at as date) > {{ as_of }}
                then 'outside_reporting_window'
            when closed_opportunities.opportunity_id is not null then 'counted'
            else 'unexplained'
        end as row_outcome,
        -- A lost deal counts in win rate and lost count; its amount is in no amount KPI.
        case
            when closed_opportunities.status = 'lost' then 'lost'
        end as amount_outcome,
        1 as row_count

    from raw_opportunities
    left join closed_opportunities
        on
            raw_opportunities._file_id = closed_opportunities._file_id
            and raw_opportunities._row_number = closed_opportunities._row_number

),

-- receivables: amount due, counted in receivables_due_amount -----------------------------
raw_receivables as (

    select
        *,
        max(_file_id) over (partition by receivable_id) as latest_file_id

    from {{ source('raw', 'receivables') }}

),

receivable_orders as (

    select * from {{ ref('fct_orders') }}

),

receivables as (

    select * from {{ ref('fct_receivables') }}

),

receivables_classified as (

    select
        'receivables' as kind,
        raw_receivables._file_id as file_id,
        'amount' as measure,
        raw_receivables.amount,
        raw_receivables.receivable_id,
        case
            when
                raw_receivables._file_id < raw_receivables.latest_file_id
                or row_number() over (
                    partition by raw_receivables.receivable_id, raw_receivables._file_id
                    order by raw_receivables._row_number desc
                ) > 1
                then 'superseded'
            when receivable_orders.order_id is null then 'unknown_order'
            when receivable_orders.is_cancelled then 'cancelled'
            when receivable_orders.team_id is null then 'unknown_rep'
            when raw_receivables.due_date > (select window_end.last_day from window_end)
                then 'outside_reporting_window'
            when receivables.receivable_id is not null then 'counted'
            else 'unexplained'
        end as row_outcome

    from raw_receivables
    left join receivable_orders
        on raw_receivables.order_id = receivable_orders.order_id
    left join receivables
        on
            raw_receivables._file_id = receivables._file_id
            and raw_receivables._row_number = receivables._row_number

),

receivables_traced as (

    select
        kind,
        file_id,
        measure,
        amount,
        row_outcome,
        cast(null as {{ dbt.type_string() }}) as amount_outcome,
        1 as row_count

    from receivables_classified

),

-- payments: amount received, counted in collected_amount where allocated to a receivable
-- the marts count, by the as-of date ----------------------------------------------------
raw_payments as (

    select
        *,
        row_number() over (
            partition by payment_id order by _file_id desc, _row_number desc
        ) > 1 as is_superseded

    from {{ source('raw', 'payments') }}

),

allocations as (

    select * from {{ ref('int_payments_allocated_to_receivables') }}

),

current_receivables as (

    select
        receivable_id,
        row_outcome

    from receivables_classified
    where row_outcome <> 'superseded'

),

payment_allocations as (

    select
        allocations.payment_id,
        coalesce(current_receivables.row_outcome, 'unknown_receivable') as outcome,
        sum(allocations.allocated_amount) as amount

    from allocations
    left join current_receivables
        on allocations.receivable_id = current_receivables.receivable_id
    group by allocations.payment_id, current_receivables.row_outcome

),

payments_allocated as (

    select
        payment_id,
        sum(amount) as amount

    from payment_allocations
    group by payment_id

),

payments_current as (

    select * from raw_payments
    where not is_superseded and received_date <= {{ as_of }}

),

payments_traced as (

    -- Superseded and future payments: the whole row and amount.
    select
        'payments' as kind,
        _file_id as file_id,
        'amount' as measure,
        amount,
        case when is_superseded then 'superseded' else 'outside_reporting_window' end
            as row_outcome,
        cast(null as {{ dbt.type_string() }}) as amount_outcome,
        1 as row_count

    from raw_payments
    where is_superseded or received_date > {{ as_of }}

    union all

    -- A current payment: its amount split by where its allocations went; the row counted
    -- with its largest part.
    select
        'payments' as kind,
        payments_current._file_id as file_id,
        'amount' as measure,
        payment_allocations.amount,
        payment_allocations.outcome as row_outcome,
        cast(null as {{ dbt.type_string() }}) as amount_outcome,
        case
            when
                row_number() over (
                    partition by payments_current._file_id, payments_current._row_number
                    order by payment_allocations.amount desc, payment_allocations.outcome asc
                ) = 1
                then 1
            else 0
        end as row_count

    from payments_current
    inner join payment_allocations
        on payments_current.payment_id = payment_allocations.payment_id

    union all

    -- What no receivable took: more than the order's receivables, or no receivable at all.
    select
        'payments' as kind,
        payments_current._file_id as file_id,
        'amount' as measure,
        payments_current.amount - coalesce(payments_allocated.amount, 0) as amount,
        'unallocated' as row_outcome,
        cast(null as {{ dbt.type_string() }}) as amount_outcome,
        case when payments_allocated.payment_id is null then 1 else 0 end as row_count

    from payments_current
    left join payments_allocated
        on payments_current.payment_id = payments_allocated.payment_id
    where
        payments_current.amount - coalesce(payments_allocated.amount, 0) <> 0
        or payments_allocated.payment_id is null

),

-- kinds without an amount: rows only; the latest file's row of each key counts ----------------
rows_only_raw as (
    {%- for kind in rows_only_kinds %}
        {%- set keys = kinds[kind]['keys'] %}
        {%- if keys | length == 1 %}
            {%- set version_key = 'cast(' ~ keys[0] ~ ' as ' ~ dbt.type_string() ~ ')' %}
        {%- else %}
            {%- set version_key = "concat_ws('|', " ~ keys | join(', ') ~ ")" %}
        {%- endif %}
        {%- set submitted_at = 'submitted_at' if kinds[kind]['submitted_at']
            else 'cast(null as timestamp)' %}

        select
            '{{ kind }}' as kind,
            {{ version_key }} as version_key,
            {{ submitted_at }} as submitted_at,
            _file_id,
            _row_number
        from {{ source('raw', kind) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

rows_only_staged as (
    {%- for kind in rows_only_kinds %}

        select
            '{{ kind }}' as kind,
            _file_id,
            _row_number
        from {{ ref(kinds[kind]['staging_model']) }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

rows_only_ranked as (

    select
        *,
        -- 1 for the row the latest file has (then the latest submission, then the last row).
        row_number() over (
            partition by kind, version_key
            order by _file_id desc, submitted_at desc nulls last, _row_number desc
        ) as version_rank

    from rows_only_raw

),

rows_only_traced as (

    select
        ranked.kind,
        ranked._file_id as file_id,
        cast(null as {{ dbt.type_string() }}) as measure,
        cast(null as decimal(18, 4)) as amount,
        case
            when ranked.version_rank > 1 then 'superseded'
            when staged._file_id is not null then 'counted'
            else 'unexplained'
        end as row_outcome,
        cast(null as {{ dbt.type_string() }}) as amount_outcome,
        1 as row_count

    from rows_only_ranked as ranked
    left join rows_only_staged as staged
        on
            ranked.kind = staged.kind
            and ranked._file_id = staged._file_id
            and ranked._row_number = staged._row_number

),

traced as (

    select * from daily_reports_traced
    union all
    select * from opportunities_traced
    union all
    select * from orders_traced
    union all
    select * from receivables_traced
    union all
    select * from payments_traced
    union all
    select * from rows_only_traced

),

by_outcome as (

    select
        kind,
        file_id,
        row_outcome as outcome,
        sum(row_count) as row_count,
        cast(null as decimal(18, 4)) as amount

    from traced
    group by kind, file_id, row_outcome

    union all

    -- The amount follows the row, but where only the value is left out (impossible visits,
    -- a lost deal's amount).
    select
        kind,
        file_id,
        coalesce(amount_outcome, row_outcome) as outcome,
        0 as row_count,
        sum(amount) as amount

    from traced
    where measure is not null
    group by kind, file_id, coalesce(amount_outcome, row_outcome)

),

per_file as (

    select
        kind,
        file_id,
        outcome,
        cast(sum(row_count) as bigint) as row_count,
        cast(sum(amount) as decimal(18, 4)) as amount

    from by_outcome
    group by kind, file_id, outcome

),

-- Rows and amounts in raw, counted straight from the raw tables.
raw_totals as (

    select
        'orders' as kind,
        _file_id as file_id,
        count(*) as row_count,
        sum(amount) as amount
    from {{ source('raw', 'orders') }}
    group by _file_id
    union all
    select
        'daily_reports' as kind,
        _file_id as file_id,
        count(*) as row_count,
        sum(visits) as amount
    from {{ source('raw', 'daily_reports') }}
    group by _file_id
    union all
    select
        'opportunities' as kind,
        _file_id as file_id,
        count(*) as row_count,
        sum(amount) as amount
    from {{ source('raw', 'opportunities') }}
    group by _file_id
    union all
    select
        'receivables' as kind,
        _file_id as file_id,
        count(*) as row_count,
        sum(amount) as amount
    from {{ source('raw', 'receivables') }}
    group by _file_id
    union all
    select
        'payments' as kind,
        _file_id as file_id,
        count(*) as row_count,
        sum(amount) as amount
    from {{ source('raw', 'payments') }}
    group by _file_id
    union all
    select
        kind,
        _file_id as file_id,
        count(*) as row_count,
        null as amount
    from rows_only_raw
    group by kind, _file_id

),

raw_flows as (

    select
        kind,
        file_id,
        'raw' as outcome,
        cast(row_count as bigint) as row_count,
        cast(amount as decimal(18, 4)) as amount

    from raw_totals

),

-- Rows a file had that never reached raw (rejected at ingest, each with its reasons in
-- raw.<kind>__rejects): outside the identity above, listed so the file's account is whole.
rejected_at_ingest as (

    select
        kind,
        file_id,
        'rejected_at_ingest' as outcome,
        rows_rejected as row_count,
        cast(null as decimal(18, 4)) as amount

    from files
    where rows_rejected > 0 and status not in ('superseded', 'duplicate')

),

-- Facts against the company KPI marts: what the facts count must be what the marts sum.
counted_by_kind as (

    select
        kind,
        sum(amount) as amount

    from by_outcome
    where
        outcome = 'counted'
        and kind in ('orders', 'daily_reports', 'opportunities', 'receivables', 'payments')
    group by kind

),

mart_totals as (

    select
        'orders' as kind,
        sum(sales_amount) as amount
    from company_monthly
    union all
    select
        'daily_reports' as kind,
        sum(visits) as amount
    from company_monthly
    union all
    select
        'opportunities' as kind,
        sum(won_amount) as amount
    from company_monthly
    union all
    select
        'receivables' as kind,
        sum(receivables_due_amount) as amount
    from company_monthly
    union all
    select
        'payments' as kind,
        sum(collected_amount) as amount
    from company_monthly

),

marts_reconciled as (

    select
        mart_totals.kind,
        cast(null as bigint) as file_id,
        'unexplained' as outcome,
        cast(0 as bigint) as row_count,
        cast(
            coalesce(counted_by_kind.amount, 0) - coalesce(mart_totals.amount, 0) as decimal(18, 4)
        )
            as amount

    from mart_totals
    left join counted_by_kind
        on mart_totals.kind = counted_by_kind.kind

),

flows as (

    select * from raw_flows
    union all
    select * from per_file
    union all
    select * from rejected_at_ingest
    union all
    select * from marts_reconciled

),

measures as (

    select distinct
        kind,
        measure

    from traced
    where measure is not null

),

final as (

    select
        flows.kind,
        flows.file_id,
        coalesce(files.file_name, '(the KPI marts against the facts)') as file_name,
        flows.outcome,
        flows.row_count as rows,  -- noqa: RF04
        flows.amount,
        measures.measure

    from flows
    left join files
        on flows.file_id = files.file_id
    left join measures
        on flows.kind = measures.kind

)

select * from final
