-- 个人日报表 Rep daily KPIs.
-- One row per entity and period up to the as-of date, zeros where nothing happened.
-- Built on one DuckDB thread: at the L org (2.4 M rep-days) its joins failed "failed to pin
-- block" on two threads at 1 GB, 2 GB and 3 GB alike (not at 1.5 GB: DuckDB 2.0.1 plans the
-- joins by the limit), and passed every time on one (23 s instead of 17).
{{ config(
    pre_hook="{{ set_duckdb_threads(1) }}",
    post_hook="{{ set_duckdb_threads(env_var('SALESPULSE_DUCKDB_THREADS', '2')) }}",
) }}
{{ kpi_mart('rep', 'day') }}
