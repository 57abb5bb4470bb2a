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
    summary = generate_org(out, seed=args.seed, as_of=as_of, reps=args.reps, months=args.months)
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from salespulse.contracts import default_contracts
    from salespulse.ingest.validate import validate_file

    settings = get_settings()
    contracts = default_contracts()
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
    if result.header_mapping:
        print("columns:")
        for header, name in result.header_mapping.items():
            print(f"  {header!s:<24} -> {name}")
    if result.unknown_columns:
        print(f"unknown columns: {', '.join(result.unknown_columns)}")
    if result.fatal:
        print(f"CANNOT LOAD: {result.fatal}")
        return 1
    print(
        f"rows:      {result.rows_in_file} in file, {result.rows_ok} ok, "
        f"{result.rows_rejected} would be rejected"
    )
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

    try:
        contracts = default_contracts()
    except ContractError as exc:
        print(exc, file=sys.stderr)
        return 1
    for kind, contract in contracts.items():
        print(f"{kind:<20} {len(contract.columns):>2} columns  keys={list(contract.keys)}  {contract.title}")
    return 0


def _cmd_expectations(args: argparse.Namespace) -> int:
    from salespulse.contracts import default_contracts
    from salespulse.quality.expectations import write_suites

    written = write_suites(default_contracts(), Path(args.dir))
    for path in written:
        print(f"wrote {path}")
    return 0


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
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser("validate", help="check one export against its contract without loading it")
    p.add_argument("file")
    p.add_argument("--kind", help="the input kind, when neither the folder nor the headers tell")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--limit", type=int, default=50, help="problems to print (default 50)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("contracts", help="load and check every input contract (with your overrides)")
    p.set_defaults(func=_cmd_contracts)

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

    p = sub.add_parser("summary", help="what the last pipeline run did and where the outputs are")
    p.set_defaults(func=_cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
