-- marts.dq_check_digest: every failed asset check of the latest run, rewritten by the
-- dq_check_digest asset (Dagster, not dbt). Open-source Dagster does not alert on failed
-- checks by itself (dagster issue #29896): this table and the asset's metadata are the digest.
create or replace table marts.dq_check_digest (
    asset_key varchar not null,
    check_name varchar not null,
    severity varchar not null,
    description varchar,
    findings bigint,
    reps_concerned varchar [] not null,
    check_run_id varchar not null,
    digest_run_id varchar not null,
    evaluated_at timestamp,
    digested_at timestamp not null
)
