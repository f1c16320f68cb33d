"""The `cchc` command: warehouse, generate, backfill, status, build, docs, report.

Every subcommand exits 0 on success and otherwise prints one line saying what failed and where.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from datetime import date, timedelta
from pathlib import Path

from cchc_warehouse.errors import CchcError

log = logging.getLogger("cchc_warehouse")


def setup_logging(verbose: bool = False) -> None:
    """Readable log lines on stderr; the chatty libraries kept at WARNING."""
    from cchc_warehouse.logs import quiet_libraries

    quiet_libraries()
    level = logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)-7s %(message)s", datefmt="%H:%M:%S"
    )


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def cmd_warehouse(args: argparse.Namespace) -> int:
    from cchc_warehouse import warehouse

    if args.action == "url":
        print(warehouse.warehouse_url())
    elif args.action == "start":
        url = warehouse.warehouse_url()
        warehouse.bootstrap(url)
        from sqlalchemy.engine import make_url

        print(f"warehouse ready: {make_url(url).render_as_string(hide_password=True)}")
    elif args.action == "stop":
        if not warehouse.is_embedded():
            raise CchcError(
                "CCHC_WAREHOUSE_URL is set: the warehouse is not the embedded one, not stopping it"
            )
        print("stopped" if warehouse.stop_embedded() else "the embedded warehouse was not running")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from cchc_warehouse import simulate

    defects = args.defects if args.defects in ("all", "none") else args.defects.split(",")
    summary = simulate.generate(
        Path(args.out),
        args.start,
        args.end,
        seed=args.seed,
        scale=args.scale,
        defects=defects,
        progress=True,
    )
    log.info(
        "landing folder written to %s (ground truth in %s)", args.out, Path(args.out) / "_truth"
    )
    for key, value in (summary or {}).items():
        if isinstance(value, int | float | str):
            log.info("  %s: %s", key, value)
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    from cchc_warehouse import pipeline

    report = pipeline.backfill(
        Path(args.landing),
        args.start,
        args.end,
        systems=args.systems.split(",") if args.systems else None,
        build=not args.no_build,
        validate=not args.no_validate,
        progress=True,
    )
    print(report.render())
    if report.failed:
        print(
            f"cchc backfill: {len(report.failed)} export day(s) failed: {report.failed_line()}",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from cchc_warehouse import status

    status.print_status(days=args.days, system=args.system)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from cchc_warehouse import dbt

    dbt.run_dbt(["build", *(["--full-refresh"] if args.full_refresh else []), *args.dbt_args])
    return 0


def cmd_dbt(args: argparse.Namespace) -> int:
    from cchc_warehouse import dbt

    dbt.run_dbt(args.dbt_args)
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    from cchc_warehouse import publish

    paths = publish.build_docs(data_docs=not args.no_data_docs)
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from cchc_warehouse import demo

    return demo.run()


def cmd_airflow(args: argparse.Namespace) -> int:
    from cchc_warehouse import airflow_env

    return airflow_env.run_stack(args.landing)


def cmd_report(args: argparse.Namespace) -> int:
    from cchc_warehouse.reports import write_report

    for path in write_report(
        year=args.year,
        out=Path(args.out),
        scope=args.scope,
        period=args.period,
        convention=args.convention,
    ):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cchc", description="CCHC warehouse: load, check, model and report."
    )
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)

    w = sub.add_parser(
        "warehouse", help="the warehouse: its URL; start or stop the embedded PostgreSQL"
    )
    w.add_argument("action", choices=["url", "start", "stop"])
    w.set_defaults(func=cmd_warehouse)

    g = sub.add_parser("generate", help="write a simulated landing folder (and its ground truth)")
    g.add_argument("--out", required=True, help="landing folder to write")
    g.add_argument(
        "--start",
        type=_date,
        default=date(2020, 12, 15),
        help="first export day (default 2020-12-15)",
    )
    g.add_argument(
        "--end", type=_date, default=None, help="last export day (default: start + 1 year - 1 day)"
    )
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--scale", choices=["small", "province"], default="small")
    g.add_argument("--defects", default="all", help="all | none | comma-separated defect classes")
    g.set_defaults(func=cmd_generate)

    b = sub.add_parser(
        "backfill", help="load every export day in a range, check it, build the marts"
    )
    b.add_argument(
        "--landing",
        default=os.environ.get("CCHC_LANDING_DIR"),
        help="landing folder ($CCHC_LANDING_DIR)",
    )
    b.add_argument("--start", type=_date, required=True)
    b.add_argument("--end", type=_date, required=True)
    b.add_argument("--systems", help="comma-separated subset of onestop,docmgmt,portal")
    b.add_argument("--no-build", action="store_true", help="load and check only; do not run dbt")
    b.add_argument(
        "--no-validate", action="store_true", help="skip Great Expectations (not for production)"
    )
    b.set_defaults(func=cmd_backfill)

    s = sub.add_parser(
        "status", help="load audit per system and day, quality, missing and late days, DAG runs"
    )
    s.add_argument(
        "--days", type=int, default=14, help="how many recent export days to list (default 14)"
    )
    s.add_argument("--system", choices=["onestop", "docmgmt", "portal"])
    s.set_defaults(func=cmd_status)

    bu = sub.add_parser("build", help="dbt build (models and tests) into the warehouse")
    bu.add_argument("--full-refresh", action="store_true")
    bu.add_argument("dbt_args", nargs=argparse.REMAINDER)
    bu.set_defaults(func=cmd_build)

    d = sub.add_parser("dbt", help="run any dbt command with the warehouse's profile")
    d.add_argument("dbt_args", nargs=argparse.REMAINDER)
    d.set_defaults(func=cmd_dbt)

    do = sub.add_parser("docs", help="build dbt docs and Great Expectations Data Docs")
    do.add_argument("--no-data-docs", action="store_true")
    do.set_defaults(func=cmd_docs)

    de = sub.add_parser(
        "demo", help="generate a small province, run the DAGs on Airflow, print the year"
    )
    de.set_defaults(func=cmd_demo)

    af = sub.add_parser(
        "airflow", help="run Airflow (api-server, scheduler, dag-processor, triggerer)"
    )
    af.add_argument("--landing", default=os.environ.get("CCHC_LANDING_DIR"), help="landing folder")
    af.set_defaults(func=cmd_airflow)

    r = sub.add_parser(
        "report", help="write the annual CCHC appendix / period forms (.xlsx, .html)"
    )
    r.add_argument("--year", type=int, required=True)
    r.add_argument("--scope", help="agency code, or the province code (default: the province)")
    r.add_argument("--period", help="period label for the period form, e.g. 2021-Q4")
    r.add_argument("--convention", choices=["nd09", "calendar"], default="nd09")
    r.add_argument("--out", required=True, help="output file (.xlsx; .html written beside it)")
    r.set_defaults(func=cmd_report)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose)
    if getattr(args, "command", None) == "backfill" and not args.landing:
        print("cchc backfill: --landing is required (or set CCHC_LANDING_DIR)", file=sys.stderr)
        return 2
    if getattr(args, "command", None) == "generate" and args.end is None:
        args.end = args.start.replace(year=args.start.year + 1) - timedelta(days=1)
    try:
        return args.func(args)
    except CchcError as exc:
        print(f"cchc {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"cchc {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
