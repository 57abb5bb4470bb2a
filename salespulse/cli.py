"""The `salespulse` command: generate demo data, validate an export, set up the data home."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from salespulse.config import PROJECT_ROOT, get_settings


def _cmd_init(args: argparse.Namespace) -> int:
    """Create the data home and the Dagster instance config in it."""
    settings = get_settings()
    settings.ensure_dirs()
    settings.contract_overrides_dir.mkdir(parents=True, exist_ok=True)
    source = PROJECT_ROOT / "dagster.yaml"
    target = settings.dagster_home / "dagster.yaml"
    if source.is_file() and (not target.exists() or target.read_bytes() != source.read_bytes()):
        target.write_bytes(source.read_bytes())
    if not args.quiet:
        print(f"data home: {settings.home}")
        print(f"dagster home: {settings.dagster_home}")
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
        contracts = default_contracts()
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
        contracts = default_contracts()
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

    try:
        contracts = default_contracts()
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        report = reprocess(
            get_settings(), contracts, file_ids=args.file_ids, kind=args.kind, quarantined=args.quarantined
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

    written = write_suites(default_contracts(), Path(args.dir))
    for path in written:
        print(f"wrote {path}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from pipelines.runner import QUIET_CONFIG, run

    return run(job=args.job, config=None if args.verbose else QUIET_CONFIG)


def _cmd_summary(args: argparse.Namespace) -> int:
    from salespulse.summary import print_summary

    return print_summary(get_settings())


def _cmd_sql(args: argparse.Namespace) -> int:
    from salespulse.sql_shell import shell

    return shell(get_settings().analytics_path, command=args.command, as_csv=args.csv, max_rows=args.max_rows)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="salespulse", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create the data home (SALESPULSE_HOME) and its Dagster instance config")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("generate", help="generate a reproducible demo sales organisation's exports")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--as-of", help="last day of data, YYYY-MM-DD (default: today)")
    p.add_argument("--reps", type=int, default=40)
    p.add_argument("--months", type=int, default=15)
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
    p.add_argument("--dir", default=str(PROJECT_ROOT / "expectations"))
    p.set_defaults(func=_cmd_expectations)

    p = sub.add_parser("sql", help="SQL shell on analytics.duckdb, the read-only copy of the marts")
    p.add_argument("-c", "--command", help="run one statement and exit")
    p.add_argument("--csv", action="store_true", help="print results as CSV, every row (for scripts)")
    p.add_argument(
        "--max-rows", type=int, default=1000, help="rows shown per result in table mode (0: DuckDB's)"
    )
    p.set_defaults(func=_cmd_sql)

    p = sub.add_parser(
        "run",
        help="run the pipeline once on the files in landing/ (what `make run` does)",
        description="Frees the warehouse of runs that died, waits for files still being written and "
        "for a run in progress (saying which), then runs the job; Ctrl-C stops it cleanly.",
    )
    p.add_argument("--job", default="salespulse_pipeline", help="the Dagster job (default: the pipeline)")
    p.add_argument("--verbose", action="store_true", help="Dagster's full console log (DEBUG)")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("summary", help="what the last pipeline run did and where the outputs are")
    p.set_defaults(func=_cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
