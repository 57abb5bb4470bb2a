-- Every raw row and amount of a file ends in exactly one outcome: the outcomes (counted, each
-- reason, unexplained) add up to the raw totals. Failing means a row was counted twice or not
-- at all by the audit itself.
with

flows as (

    select * from {{ ref('audit_row_flow') }}
    where file_id is not null

),

balanced as (

    select
        kind,
        file_id,
        sum(case when outcome = 'raw' then rows else 0 end) as raw_rows,
        sum(case when outcome not in ('raw', 'rejected_at_ingest') then rows else 0 end)
            as traced_rows,
        sum(case when outcome = 'raw' then amount else 0 end) as raw_amount,
        sum(case when outcome not in ('raw', 'rejected_at_ingest') then amount else 0 end)
            as traced_amount

    from flows
    group by kind, file_id

)

select * from balanced
where raw_rows <> traced_rows or coalesce(raw_amount, 0) <> coalesce(traced_amount, 0)
