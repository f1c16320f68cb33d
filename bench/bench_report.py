"""Benchmark `cchc report`: the time to write a year's report (appendix, period form, document
table; xlsx + html + pdf) from the marts. Target: a province year in at most 10 s.

    .venv/bin/python bench/bench_report.py --url URL [--year 2021] [--runs 3] [--replicate 11]
    .venv/bin/python bench/bench_report.py --build-small [--keep]   # a simulated small year first

`--url` (or CCHC_WAREHOUSE_URL) names a warehouse whose marts hold the year. `--build-small`
instead generates a small simulated year (seed 2021, 2020-12-15..2021-12-14) and backfills it into
a new database (without Great Expectations; about 5 minutes).

The report reads only the pre-aggregated report marts (rows = agencies x periods) and a few
hundred audit rows: its work grows with the number of agencies, not with the number of
dossiers. `--replicate K` measures a province's agency count on a small year: it copies the
database (CREATE DATABASE ... TEMPLATE) and repeats every agency K times in dim_agency,
rpt_dossier_resolution and rpt_document_exchange, multiplying the province's indicator counts by
K so that every check still holds (K = 11 turns the simulator's 13-15 agencies into ~150, the
size of Sóc Trăng's 18 departments, 11 districts and 109 communes). The copy is dropped at the
end unless --keep.

Prints each phase's time per run (read + checks, xlsx, html, pdf) and the wall-clock time of the
`cchc report` command itself (Python start-up included).
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from cchc_warehouse import warehouse  # noqa: E402
from cchc_warehouse.reports import ReportCheckError, chromium, load_report  # noqa: E402
from cchc_warehouse.reports.content import build_content  # noqa: E402
from cchc_warehouse.reports.html import write_html  # noqa: E402
from cchc_warehouse.reports.xlsx import write_xlsx  # noqa: E402

SMALL_START, SMALL_END = date(2020, 12, 15), date(2021, 12, 14)
REPLICATED_TABLES = ("dim_agency", "rpt_dossier_resolution", "rpt_document_exchange")

COLUMNS_SQL = """
select column_name from information_schema.columns
where table_schema = 'marts' and table_name = %s
order by ordinal_position
"""
SCALE_INDICATORS_SQL = """
update marts.rpt_cchc_indicators as i
set value = case when r.indicator_kind = 'rate' then i.value else i.value * %(k)s end,
    numerator = i.numerator * %(k)s,
    denominator = i.denominator * %(k)s
from marts.ref_cchc_indicators as r
where r.indicator_code = i.indicator_code and i.scope_level = 'province'
"""
SIZES_SQL = """
select
    (select count(*) from marts.fct_dossiers_received
     where accepted_date between %(start)s and %(end)s) as dossiers,
    (select count(*) from marts.rpt_dossier_resolution
     where period_convention = 'nd09' and period_label = %(label)s) as agencies_in_form,
    (select count(*) from marts.rpt_dossier_resolution) as resolution_rows,
    (select count(*) from marts.rpt_document_exchange) as document_rows
"""


def database_url(server: str, name: str) -> str:
    return make_url(server).set(database=name).render_as_string(hide_password=False)


def admin(server: str, statement: sql.Composable) -> None:
    with psycopg.connect(warehouse.conninfo(server), autocommit=True) as conn:
        conn.execute(statement)


def build_small(server: str, name: str) -> str:
    from cchc_warehouse import pipeline
    from cchc_warehouse.simulate import generate

    admin(server, sql.SQL("create database {}").format(sql.Identifier(name)))
    url = database_url(server, name)
    warehouse.bootstrap(url)
    os.environ.setdefault("CCHC_PII_KEY", "bench-report-key")
    with tempfile.TemporaryDirectory(prefix="cchc-bench-landing-") as landing:
        started = time.perf_counter()
        generate(
            Path(landing),
            SMALL_START,
            SMALL_END,
            seed=2021,
            scale="small",
            defects="duplicates,resend,late,missing_day,null_dates,clock_errors,messy_codes,"
            "unknown_codes,truncated,manifest_mismatch,schema_drift",
        )
        pipeline.backfill(Path(landing), SMALL_START, SMALL_END, validate=False, url=url)
        print(f"built a small year in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def replicate(url: str, name: str, k: int) -> str:
    """A copy of the database with every agency repeated k times (see the module docstring)."""
    source = make_url(url).database
    server = database_url(url, "postgres")
    admin(
        server,
        sql.SQL("create database {} template {}").format(
            sql.Identifier(name), sql.Identifier(source)
        ),
    )
    copy = database_url(url, name)
    with psycopg.connect(warehouse.conninfo(copy)) as conn:
        for table in REPLICATED_TABLES:
            columns = [r[0] for r in conn.execute(COLUMNS_SQL, (table,))]
            select = []
            for c in columns:
                if c in ("agency_code", "agency_version_key"):
                    select.append(sql.SQL("{} || '-R' || k").format(sql.Identifier(c)))
                elif c == "agency_name":
                    select.append(sql.SQL("{} || ' (' || k || ')'").format(sql.Identifier(c)))
                else:
                    select.append(sql.Identifier(c))
            conn.execute(
                sql.SQL(
                    "insert into marts.{t} ({cols}) select {sel} from marts.{t}, "
                    "generate_series(2, %(k)s) as k"
                ).format(
                    t=sql.Identifier(table),
                    cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
                    sel=sql.SQL(", ").join(select),
                ),
                {"k": k},
            )
        conn.execute(SCALE_INDICATORS_SQL, {"k": k})
        conn.commit()
    return copy


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def one_run(url: str, args: argparse.Namespace, out: Path) -> dict[str, float]:
    data, read_s = timed(load_report, year=args.year, scope=args.scope, url=url)
    content, content_s = timed(build_content, data)
    _, xlsx_s = timed(write_xlsx, content, out.with_suffix(".xlsx"))
    _, html_s = timed(write_html, content, out.with_suffix(".html"))
    pdf_s = 0.0
    if not args.no_pdf:
        _, pdf_s = timed(chromium.print_to_pdf, out.with_suffix(".html"), out.with_suffix(".pdf"))
    if data.errors:
        print(f"  note: {len(data.errors)} check error(s), first: {data.errors[0].message}")
    return {
        "read+checks": read_s,
        "layout": content_s,
        "xlsx": xlsx_s,
        "html": html_s,
        "pdf": pdf_s,
        "total": read_s + content_s + xlsx_s + html_s + pdf_s,
    }


def command_run(url: str, args: argparse.Namespace, out: Path) -> float:
    """Wall clock of `cchc report` in a new process, Python start-up and imports included."""
    env = {**os.environ, "CCHC_WAREHOUSE_URL": url}
    cmd = [str(ROOT / ".venv" / "bin" / "cchc"), "report", "--year", str(args.year)]
    if args.scope:
        cmd += ["--scope", args.scope]
    started = time.perf_counter()
    done = subprocess.run([*cmd, "--out", str(out)], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"cchc report failed: {done.stderr.strip()}")
    return seconds


def run(url: str, args: argparse.Namespace) -> None:
    with psycopg.connect(warehouse.conninfo(url)) as conn:
        label = str(args.year)
        start, end = conn.execute(
            "select period_start, period_end from marts.dim_reporting_period "
            "where period_convention = 'nd09' and period_label = %s",
            (label,),
        ).fetchone()
        sizes = conn.execute(SIZES_SQL, {"start": start, "end": end, "label": label}).fetchone()
    print(
        f"year {args.year}: {sizes[0]:,} dossiers in fct_dossiers_received, {sizes[1]} agencies "
        f"in the year's form; report marts: {sizes[2]:,} + {sizes[3]:,} rows",
        flush=True,
    )
    phases: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="cchc-bench-report-") as tmp:
        for i in range(args.runs):
            times = one_run(url, args, Path(tmp) / f"run{i}")
            for key, value in times.items():
                phases.setdefault(key, []).append(value)
            print(
                f"run {i + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in times.items()),
                flush=True,
            )
        command = [command_run(url, args, Path(tmp) / f"cmd{i}.xlsx") for i in range(args.runs)]
    print("median: " + ", ".join(f"{k} {statistics.median(v):.2f} s" for k, v in phases.items()))
    print(
        f"`cchc report --year {args.year}` wall clock (new process, xlsx + html"
        f"{'' if chromium.find_chromium() is None else ' + pdf'}): "
        f"median {statistics.median(command):.2f} s, max {max(command):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("CCHC_WAREHOUSE_URL"))
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--scope", help="agency or province code (default: the province)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--replicate", type=int, default=1, help="repeat every agency K times")
    parser.add_argument("--build-small", action="store_true", help="simulate and load a small year")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the databases this run made")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("cchc_warehouse.reports").setLevel(logging.ERROR)
    if not args.url and not args.build_small:
        parser.error("give --url (or CCHC_WAREHOUSE_URL) or --build-small")
    server = args.url or warehouse.warehouse_url()
    made: list[str] = []
    try:
        url = server
        if args.build_small:
            made.append(f"bench_report_{os.getpid()}")
            url = build_small(server, made[-1])
        if args.replicate > 1:
            made.append(f"bench_report_x{args.replicate}_{os.getpid()}")
            url = replicate(url, made[-1], args.replicate)
            print(f"agencies replicated {args.replicate} times in database {made[-1]}")
        run(url, args)
    except ReportCheckError as exc:
        raise SystemExit(str(exc)) from exc
    finally:
        if not args.keep:
            for name in reversed(made):
                admin(
                    database_url(server, "postgres"),
                    sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)),
                )


if __name__ == "__main__":
    main()
