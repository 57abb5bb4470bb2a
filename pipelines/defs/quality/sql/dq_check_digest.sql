-- marts.dq_check_digest: every failed asset check of the latest run, and every check the run
-- skipped for want of rows, rewritten by the dq_check_digest asset (Dagster, not dbt).
-- Open-source Dagster does not alert on failed checks by itself (dagster issue #29896): this
-- table and the asset's metadata are the digest. The comments are what analysts read from SQL.
create or replace table marts.dq_check_digest (
    asset_key varchar not null,
    check_name varchar not null,
    status varchar not null,
    severity varchar,
    description varchar,
    reason varchar,
    findings bigint,
    reps_concerned varchar[] not null,
    rep_names_concerned varchar[] not null,
    check_run_id varchar not null,
    digest_run_id varchar not null,
    evaluated_at timestamp,
    digested_at timestamp not null
);

comment on table marts.dq_check_digest is '检查摘要 Check digest: one row per asset check of the latest pipeline run that failed (dbt data tests, Great Expectations suites on raw tables and marts, data-quality rules), and per check the run skipped because it had 0 rows to check. A check that passed has no row.';
comment on column marts.dq_check_digest.asset_key is 'The asset the check belongs to, as Dagster names it (e.g. marts/dq_submissions, raw/orders).';
comment on column marts.dq_check_digest.check_name is 'The check (e.g. late_reports, great_expectations, or a dbt test name).';
comment on column marts.dq_check_digest.status is 'failed (the check found problems) or skipped (it had 0 rows to check; see reason).';
comment on column marts.dq_check_digest.severity is 'ERROR (alerts) or WARN, as the check reports it; null for a skipped check whose severity depends on what it would have found.';
comment on column marts.dq_check_digest.description is 'What the check verifies.';
comment on column marts.dq_check_digest.reason is 'Why a skipped check did not run, e.g. the tables it reads had 0 rows; null for a failed check.';
comment on column marts.dq_check_digest.findings is 'Rows found by a failed check (findings, or failing rows of a dbt test); null when the check does not count them.';
comment on column marts.dq_check_digest.reps_concerned is 'Rep ids the failed check concerns (empty when none or not known).';
comment on column marts.dq_check_digest.rep_names_concerned is 'The names of reps_concerned, in the same order (姓名, from the current roster; the id where the roster does not know the rep).';
comment on column marts.dq_check_digest.check_run_id is 'The Dagster run that evaluated the check.';
comment on column marts.dq_check_digest.digest_run_id is 'The Dagster run that wrote this digest.';
comment on column marts.dq_check_digest.evaluated_at is 'When the check was evaluated (business time).';
comment on column marts.dq_check_digest.digested_at is 'When this digest was written (business time).';
