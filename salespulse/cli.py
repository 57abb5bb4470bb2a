"""The `salespulse` command: set up the data home, generate demo data, validate an export, run
the pipeline, re-render briefs, backfill, run dbt and its docs, and query the marts.

Every command reads the data home from the settings (SALESPULSE_HOME, default ./data) and records
Dagster runs in its instance ($SALESPULSE_HOME/dagster), the one `make dev` shows.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

from salespulse.config import RESOURCE_ROOT, Settings, get_settings


def _cmd_init(args: argparse.Namespace) -> int:
    """Create the data home and the Dagster instance config in it."""
    from salespulse.instance import init_home, instance_config, missing_postgres_env

    settings = get_settings()
    init_home(settings)
    missing = missing_postgres_env(settings)
    if missing:
        print(
            f"SALESPULSE_DAGSTER_STORAGE=postgres, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set: Dagster cannot open its instance",
            file=sys.stderr,
        )
        return 2
    if not args.quiet:
        print(f"data home: {settings.home}")
        print(f"dagster home: {settings.dagster_home} ({instance_config(settings).name})")
        print(f"your contract overrides: {settings.contract_overrides_dir}")
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    from salespulse.generate import generate_org

    as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    out = Path(args.out) if args.out else get_settings().home
    summary = generate_org(
        out, seed=args.seed, as_of=as_of, reps=args.reps, months=args.months, style=args.style
    )
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from salespulse.contracts import ContractError, default_contracts
    from salespulse.ingest.validate import validate_file

    settings = get_settings()
    try:
        contracts = default_contracts(settings)
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.kind and args.kind not in contracts:
        print(f"unknown kind {args.kind!r}; kinds: {', '.join(sorted(contracts))}", file=sys.stderr)
        return 2
    result = validate_file(Path(args.file), settings, contracts, kind=args.kind)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, default=str))
        return 0 if result.ok else 1
    print(f"file:      {result.file}")
    print(f"kind:      {result.kind or '?'} (from {result.kind_source or 'nothing: not recognised'})")
    print(f"encoding:  {result.encoding or '?'}")
    if result.columns:
        print("columns (contract column <- header in the file, and why):")
        for row in result.columns:
            header = repr(row["header"]) if row["header"] is not None else "-"
            print(f"  {row['column']:<22} <- {header:<26} {row['source']}")
    if result.unknown_columns:
        print(f"unknown columns (ignored): {', '.join(result.unknown_columns)}")
    for column, order in result.date_orders.items():
        print(f"dates:     {column} read as {'day/month/year' if order == 'dmy' else 'month/day/year'}")
    if result.fatal:
        print(f"CANNOT LOAD: {result.fatal}")
        return 1
    print(
        f"rows:      {result.rows_in_file} in file, {result.rows_ok} ok, "
        f"{result.rows_rejected} would be rejected; {result.distinct_keys} distinct keys"
    )
    for column, stats in result.dates.items():
        outside = f", {stats['outside_bounds']} outside {stats['bounds'][0]}..{stats['bounds'][1]}"
        print(f"  {column:<22} {stats['min']} .. {stats['max']}{outside if stats['outside_bounds'] else ''}")
    for column, stats in result.amounts.items():
        print(f"  {column:<22} sum {stats['sum']} over {stats['rows']} rows")
    limit = args.limit
    for problem in result.problems[:limit]:
        column = f" [{problem['column']}]" if problem["column"] else ""
        print(f"  row {problem['row']}{column}: {problem['problem']}")
    if len(result.problems) > limit:
        print(f"  ... {len(result.problems) - limit} more (use --limit or --json)")
    print("OK" if result.ok else "PROBLEMS FOUND")
    return 0 if result.ok else 1


def _cmd_contracts(args: argparse.Namespace) -> int:
    from salespulse.contracts import ContractError, default_contracts

    settings = get_settings()
    try:
        contracts = default_contracts(settings)
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"shipped contracts: {settings.contracts_dir}")
    print(f"your overrides:    {settings.contract_overrides_dir}")
    for kind, contract in contracts.items():
        print(f"{kind:<20} {len(contract.columns):>2} columns  keys={list(contract.keys)}  {contract.title}")
        if contract.override_file:
            print(f"  override applied: {contract.override_file}")
        for move in contract.alias_moves:
            print(f"  alias {move.alias!r} moved from column {move.from_column} to {move.to_column}")
    return 0


def _cmd_reprocess(args: argparse.Namespace) -> int:
    from salespulse.contracts import ContractError, default_contracts
    from salespulse.ingest.reprocess import reprocess

    settings = get_settings()
    try:
        contracts = default_contracts(settings)
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        report = reprocess(
            settings, contracts, file_ids=args.file_ids, kind=args.kind, quarantined=args.quarantined
        )
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not report.files:
        print("nothing to reprocess")
        return 0
    for result in report.files:
        note = f" — {result.error}" if result.error else ""
        print(
            f"file {result.file_id} {result.file_name}: {result.status} ({result.kind}) "
            f"loaded={result.rows_loaded} rejected={result.rows_rejected}{note}"
        )
    print("the marts follow at the next pipeline run (make run, or the landing sensor)")
    return 1 if any(r.status == "quarantined" for r in report.files) else 0


def _cmd_expectations(args: argparse.Namespace) -> int:
    from salespulse.contracts import default_contracts
    from salespulse.quality.expectations import write_suites

    written = write_suites(default_contracts(get_settings()), Path(args.dir))
    for path in written:
        print(f"wrote {path}")
    return 0


def _write_declared(module, command: str, check: bool) -> int:
    """`salespulse kpis` / `rules` / `sources`: write what a declaration gives, or say what is stale."""
    try:
        stale = module.stale()
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if check:
        for path in stale:
            print(f"stale: {path} (run `salespulse {command}`)", file=sys.stderr)
        return 1 if stale else 0
    for path in module.write():
        print(f"wrote {path}")
    return 0


def _cmd_kpis(args: argparse.Namespace) -> int:
    from salespulse import kpis

    return _write_declared(kpis, "kpis", args.check)


def _cmd_rules(args: argparse.Namespace) -> int:
    from salespulse.quality import registry

    return _write_declared(registry, "rules", args.check)


def _cmd_sources(args: argparse.Namespace) -> int:
    from salespulse import contract_sources

    return _write_declared(contract_sources, "sources", args.check)


def _cmd_summary(args: argparse.Namespace) -> int:
    from salespulse.summary import print_summary

    return print_summary(get_settings())


def _cmd_sql(args: argparse.Namespace) -> int:
    from salespulse.sql_shell import shell

    return shell(get_settings().analytics_path, command=args.command, as_csv=args.csv, max_rows=args.max_rows)


def _cmd_load_postgres(args: argparse.Namespace) -> int:
    import psycopg2

    from salespulse.engines.postgres import PostgresLoadError, load_raw

    settings = get_settings()
    directory = Path(args.from_dir) if args.from_dir else settings.raw_parquet_dir
    connect = settings.postgres_connect_args()
    try:
        loaded = load_raw(directory, connect)
    except PostgresLoadError as exc:
        print(f"salespulse load-postgres: {exc}", file=sys.stderr)
        return 2
    except psycopg2.Error as exc:
        where = f"{connect['dbname']} on {connect['host']}:{connect['port']} as {connect['user']}"
        print(f"salespulse load-postgres: {where} (SALESPULSE_PG_*): {exc}".strip(), file=sys.stderr)
        return 2
    rows = sum(loaded.tables.values())
    print(
        f"loaded {len(loaded.tables)} raw tables, {rows:,} rows, from {directory} into "
        f"{connect['dbname']} on {connect['host']}:{connect['port']} in {loaded.seconds} s"
    )
    for column in loaded.columns_added:
        print(f"  column added: raw.{column}")
    return 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _dagster_env(settings: Settings, extra_env: dict[str, str] | None = None) -> tuple[dict[str, str], int]:
    """(environment of a Dagster command on this data home, 0) once the instance and dbt's
    manifest are ready; (_, status) when preparing the manifest failed."""
    from salespulse.dbt_project import stale_manifest
    from salespulse.instance import dagster_env, foreign_dagster_home, init_home, prepare_manifest_command

    init_home(settings)
    foreign = foreign_dagster_home(settings)
    if foreign:
        print(
            f"note: DAGSTER_HOME={foreign} is ignored; runs are recorded in {settings.dagster_home}, "
            "the instance `make dev` shows for this data home",
            file=sys.stderr,
        )
    env = {**dagster_env(settings), **(extra_env or {})}
    if stale_manifest():
        print("the dbt project changed since its manifest was prepared: preparing it", file=sys.stderr)
        prepared = subprocess.run(prepare_manifest_command(), cwd=RESOURCE_ROOT, env=env, check=False)
        return env, prepared.returncode
    return env, 0


def _run(command: list[str], settings: Settings, extra_env: dict[str, str] | None = None) -> int:
    """Run a Dagster or dbt command from the repo, on this data home; its exit status is ours."""
    try:
        env, status = _dagster_env(settings, extra_env)
        if status != 0:
            return status
        return subprocess.run(command, cwd=RESOURCE_ROOT, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 130


def _cmd_run(args: argparse.Namespace) -> int:
    from pipelines.runner import run
    from salespulse.instance import QUIET_CONFIG
    from salespulse.summary import print_summary

    settings = get_settings()
    extra = {"SALESPULSE_AS_OF": args.as_of.isoformat()} if args.as_of else {}
    try:
        env, status = _dagster_env(settings, extra)
    except KeyboardInterrupt:
        return 130
    if status != 0:
        return status
    # The runner heals the instance and starts the job from this process's environment.
    os.environ.update(env)
    status = run(job=args.job, config=None if args.verbose else QUIET_CONFIG)
    if status == 0 and not args.no_summary:
        print_summary(settings)
    return status


def _cmd_render(args: argparse.Namespace) -> int:
    from salespulse.instance import BRIEFS, partition_key, render_command

    try:
        partition = partition_key(BRIEFS[args.brief], args.partition)
    except ValueError as exc:
        print(f"--partition: {exc}", file=sys.stderr)
        return 2
    if partition != args.partition:
        print(f"{args.brief}: partition {partition} (the period of {args.partition})")
    only = [item for value in args.only or [] for item in value.split(",") if item]
    command = render_command(args.brief, partition, args.send_email, only, args.locale or "")
    settings = get_settings()
    status = _run(command, settings)
    if status == 0:
        from salespulse.briefs.kinds import KINDS
        from salespulse.marts import MartsSource

        kind = next(k for k in KINDS.values() if k.asset == args.brief)
        folder = settings.briefs_dir / kind.name / kind.period(date.fromisoformat(partition)).label
        marts = MartsSource.from_settings(settings).describe()
        print(f"{args.brief} {partition}: the briefs are in {folder} (marts read from {marts})")
    return status


def _cmd_backfill(args: argparse.Namespace) -> int:
    from salespulse.instance import JOBS, backfill_command, daemon_running, partition_key

    settings = get_settings()
    grain = JOBS[args.job]
    try:
        first = partition_key(grain, args.start)
        last = partition_key(grain, args.end or args.start)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if last < first:
        print(f"--to {last} is before --from {first}", file=sys.stderr)
        return 2
    status = _run(backfill_command(args.job, first, last), settings)
    if status != 0:
        return status
    running = daemon_running(settings)
    if running is False:
        print(
            "The runs are queued in the instance; no Dagster daemon is running to launch them. "
            "Start it with `make dev` (or `dagster-daemon run` as a service, see the README); "
            "it launches them one at a time."
        )
    else:
        print("The Dagster daemon launches the queued runs one at a time; follow them in the UI (make dev).")
    return 0


def _cmd_dagster(args: argparse.Namespace) -> int:
    from salespulse.instance import dagster_executable

    return _run([dagster_executable(), *args.args], get_settings())


def _cmd_dbt(args: argparse.Namespace) -> int:
    from salespulse.dbt_project import SparkNotInstalledError, dbt_command, dbt_env

    settings = get_settings()
    if not args.args:
        print("give dbt a command, e.g. `salespulse dbt build --select marts`", file=sys.stderr)
        return 2
    try:
        command = dbt_command(settings, args.args, args.as_of)
    except SparkNotInstalledError as error:
        print(f"salespulse dbt: {error}", file=sys.stderr)
        return 2
    settings.ensure_dirs()
    try:
        env = dbt_env(settings, args.args)
        return subprocess.run(command, cwd=RESOURCE_ROOT, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 130


def _cmd_docs(args: argparse.Namespace) -> int:
    from salespulse.dbt_project import dbt_env, docs_commands

    settings = get_settings()
    settings.ensure_dirs()
    port = args.port or settings.docs_port
    generate, serve, with_catalog = docs_commands(settings, args.host, port)
    if not with_catalog:
        print(
            f"{settings.analytics_path} does not exist yet: the docs show the descriptions and "
            "declared types, without the catalog (row counts, every column type) of a build",
            file=sys.stderr,
        )
    env = dbt_env(settings)
    status = subprocess.run(generate, cwd=RESOURCE_ROOT, env=env, check=False).returncode
    if status != 0 or args.no_serve:
        if status == 0:
            print(f"dbt docs written to {settings.home / 'dbt' / 'docs'} (index.html)")
        return status
    print(f"dbt docs on http://{args.host}:{port}  (Ctrl-C stops)", flush=True)
    try:
        return subprocess.run(serve, cwd=RESOURCE_ROOT, env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0


def build_parser() -> argparse.ArgumentParser:
    from salespulse.instance import BRIEFS, JOBS, SEND_EMAIL

    parser = argparse.ArgumentParser(
        prog="salespulse",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="subcommand", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create the data home (SALESPULSE_HOME) and its Dagster instance config")
    p.add_argument("--quiet", action="store_true", help="print nothing (for scripts and make targets)")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("generate", help="generate a reproducible demo sales organisation's exports")
    p.add_argument(
        "--seed", type=int, default=7, help="random seed: the same seed gives the same files (default 7)"
    )
    p.add_argument("--as-of", help="last day of data, YYYY-MM-DD (default: today)")
    p.add_argument("--reps", type=int, default=40, help="number of sales reps (default 40)")
    p.add_argument("--months", type=int, default=15, help="months of history up to --as-of (default 15)")
    p.add_argument("--out", help="output folder (default: SALESPULSE_HOME); exports go to OUT/landing/")
    p.add_argument(
        "--style",
        choices=["standard", "other-crm"],
        default="standard",
        help="standard: what the shipped contracts read; other-crm: the same organisation as another "
        "CRM exports it, read with the overrides in models/examples/other-crm/",
    )
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("validate", help="check one export against its contract without loading it")
    p.add_argument("file")
    p.add_argument("--kind", help="the input kind, when neither the folder nor the headers tell")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--limit", type=int, default=50, help="problems to print (default 50)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "contracts",
        help="load and check every input contract, with your overrides and the aliases they moved",
    )
    p.set_defaults(func=_cmd_contracts)

    p = sub.add_parser(
        "reprocess",
        help="read archived files again under today's contracts (after fixing a contract)",
        description="Each file keeps its file_id and place in landing order; its earlier outcome "
        "stays in raw.ingested_files as `superseded` and the rows of the earlier read are replaced.",
    )
    p.add_argument(
        "file_ids", nargs="*", type=int, metavar="FILE_ID", help="file_id(s) in raw.ingested_files"
    )
    p.add_argument("--kind", help="every loaded or quarantined file of this input kind")
    p.add_argument("--quarantined", action="store_true", help="every file that is quarantined now")
    p.set_defaults(func=_cmd_reprocess)

    p = sub.add_parser("expectations", help="regenerate the Great Expectations suites from the contracts")
    p.add_argument(
        "--dir",
        default=str(RESOURCE_ROOT / "expectations"),
        help="folder of the suites, one <kind>.json each (default: expectations/ in the repo); "
        "expectations you added by hand are kept",
    )
    p.set_defaults(func=_cmd_expectations)

    for name, help_text, func in (
        (
            "kpis",
            "write the KPI marts' dbt properties and the macros' catalog from dbt_project/kpis.yml",
            _cmd_kpis,
        ),
        (
            "rules",
            "write the thresholds' defaults and the finding kinds from dbt_project/quality.yml into "
            "the dbt macros, .env.example and the README",
            _cmd_rules,
        ),
        (
            "sources",
            "write the dbt raw sources and the input kinds' catalog (read by the row flow) from the "
            "contracts in models/",
            _cmd_sources,
        ),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument(
            "--check", action="store_true", help="only say whether the written files are stale (exit 1)"
        )
        p.set_defaults(func=func)

    p = sub.add_parser(
        "run",
        help="run the pipeline once on the files in landing/ (ingest, dbt, checks, analytics.duckdb), "
        "recorded in the data home's Dagster instance",
        description="Frees the warehouse of runs that died, waits for files still being written and "
        "for a run in progress (saying which), then runs the job; Ctrl-C stops it cleanly.",
    )
    p.add_argument("--job", default="salespulse_pipeline", help="the Dagster job (default: the pipeline)")
    p.add_argument("--verbose", action="store_true", help="Dagster's full console log (DEBUG)")
    p.add_argument(
        "--as-of",
        type=_date,
        help="compute the KPIs as of this date, YYYY-MM-DD (default: SALESPULSE_AS_OF, else today)",
    )
    p.add_argument("--no-summary", action="store_true", help="do not print the summary after the run")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "render",
        help="re-render one period's briefs now (a partition of a briefs asset), recorded in the data "
        "home's Dagster instance",
    )
    p.add_argument("brief", choices=sorted(BRIEFS), help="the brief to render")
    p.add_argument(
        "--partition",
        required=True,
        help="the period: a day (YYYY-MM-DD) for the digest; any day of the ISO week for the weekly "
        "brief (its Monday is the partition); a month (YYYY-MM or any day of it) for the review pack",
    )
    p.add_argument(
        "--send-email",
        choices=SEND_EMAIL,
        default="auto",
        help="auto (default): mail each recipient once per period; always: mail again; never: "
        "write the files and the outbox only",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="ID",
        help="render only these teams / regions / 'company' (repeat or comma-separate; default: all)",
    )
    p.add_argument(
        "--locale", choices=["zh-CN", "en"], help="language of the briefs (default: SALESPULSE_LOCALE)"
    )
    p.set_defaults(func=_cmd_render)

    p = sub.add_parser(
        "backfill",
        help="queue a job's runs for a range of periods in the data home's Dagster instance (the "
        "daemon, which `make dev` starts, launches them one at a time)",
    )
    p.add_argument(
        "job",
        choices=sorted(JOBS),
        help="the partitioned job: *_run = pipeline + briefs, *_briefs = briefs only",
    )
    p.add_argument(
        "--from",
        dest="start",
        required=True,
        metavar="DATE",
        help="first period, given by any of its days (YYYY-MM-DD; YYYY-MM for monthly jobs)",
    )
    p.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        help="last period, given by any of its days (default: the --from period only)",
    )
    p.set_defaults(func=_cmd_backfill)

    p = sub.add_parser(
        "dbt",
        help="run dbt on the data home's warehouse with the pipeline's vars, "
        "e.g. `salespulse dbt build --select marts` (stop `make dev` first: DuckDB allows one writer)",
    )
    p.add_argument(
        "--as-of",
        type=_date,
        help="the as_of_date var, YYYY-MM-DD (default: SALESPULSE_AS_OF, else today); "
        "goes before the dbt arguments",
    )
    p.add_argument("args", nargs=argparse.REMAINDER, help="the dbt command and its arguments")
    p.set_defaults(func=_cmd_dbt)

    p = sub.add_parser(
        "docs",
        help="build the dbt docs (descriptions of every model and column, lineage) and serve them",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to serve on (default: SALESPULSE_DOCS_PORT, 8080)")
    p.add_argument("--no-serve", action="store_true", help="only build them (into $SALESPULSE_HOME/dbt/docs)")
    p.set_defaults(func=_cmd_docs)

    p = sub.add_parser(
        "dagster",
        help="any `dagster` command on the data home's instance, e.g. `salespulse dagster run list`",
    )
    p.add_argument("args", nargs=argparse.REMAINDER, help="the dagster command and its arguments")
    p.set_defaults(func=_cmd_dagster)

    p = sub.add_parser(
        "sql",
        help="SQL shell on analytics.duckdb, the read-only copy of the marts "
        "(`describe TABLE` prints what each column means)",
    )
    p.add_argument("-c", "--command", help="run these statements (or `describe TABLE`) and exit")
    p.add_argument("--csv", action="store_true", help="print results as CSV, every row (for scripts)")
    p.add_argument(
        "--max-rows",
        type=int,
        default=1000,
        help="rows shown per result in table mode (default 1000; 0: all)",
    )
    p.set_defaults(func=_cmd_sql)

    p = sub.add_parser(
        "load-postgres",
        help="replace the raw tables of a PostgreSQL warehouse (SALESPULSE_PG_*) with the raw Parquet "
        "mirror's (SALESPULSE_RAW_PARQUET=1), for the dbt project's `postgres` target",
    )
    p.add_argument(
        "--from",
        dest="from_dir",
        metavar="DIR",
        help="the mirror's folder (default: $SALESPULSE_HOME/raw_parquet)",
    )
    p.set_defaults(func=_cmd_load_postgres)

    p = sub.add_parser("summary", help="what the last pipeline run did and where the outputs are")
    p.set_defaults(func=_cmd_summary)
    return parser


def _quiet_broken_pipe() -> int:
    """stdout was closed by its reader (`salespulse sql … | head`): stop quietly, like `cat` does."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 128 + signal.SIGPIPE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe()


if __name__ == "__main__":
    sys.exit(main())
