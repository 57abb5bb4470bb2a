-- A row or an amount that left the pipeline's count without a named reason (SPEC §7): a row in
-- raw that is neither counted in the facts the KPI marts sum nor excluded for a reason, or a
-- difference between what the facts count and what the company KPI marts sum. Failing means
-- a KPI is wrong and nothing else says so.
select
    kind,
    file_id,
    file_name,
    rows,
    amount

from {{ ref('audit_row_flow') }}
where outcome = 'unexplained' and (coalesce(rows, 0) <> 0 or coalesce(amount, 0) <> 0)
