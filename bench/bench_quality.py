"""Benchmark the quality layer: GX on a small batch, on 1M raw.onestop_hoso rows, and a backfill.

    .venv/bin/python bench/bench_quality.py [--rows 1000000] [--days 30] [--keep]

Runs against CCHC_WAREHOUSE_URL's server if set, else a throw-away embedded PostgreSQL in a
temporary CCHC_HOME; either way in a new database of its own (dropped at the end unless --keep).
Rows are generated in SQL (INSERT ... SELECT generate_series), with the contract's defects at
realistic rates (messy agency codes, null-date spellings, empty optional dates). Prints timings.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))

from cchc_warehouse import warehouse  # noqa: E402

HOSO_SQL = """
insert into raw.onestop_hoso
select
    agency || '-' || to_char(%(day)s::date, 'YYMMDD') || '-' || lpad((g %% 10000)::text, 4, '0'),
    '1.' || lpad((4000 + g %% 900)::text, 6, '0'),
    'G' || (g %% 40),
    case when g %% 50 = 0 then '  ' || lower(agency) || ' ' else agency end,
    case when g %% 97 = 0 then ' ' else '' end || (1 + g %% 3)::text,
    (1 + g %% 3)::text,
    'Nguyễn Văn An', '001234567890', '0912345678',
    d || '080000',
    case when g %% 10 = 0 then '' else d || '081000' end,
    case when g %% 13 = 0 then '' else d || '170000' end,
    case when g %% 3 = 0 then '00000000000000' when g %% 3 = 1 then '' else d || '160000' end,
    '',
    (g %% 2)::text,
    case when g %% 997 = 0 then '11' else (1 + g %% 10)::text end,  -- a few unknown statuses
    (g %% 2)::text,
    (g %% 5 * 10000)::text,
    '1',
    d || '090000',
    null, %(batch)s, %(day)s, 'hoso.jsonl', g
from generate_series(1, %(rows)s) as g,
     lateral (select to_char(%(day)s::date, 'YYYYMMDD') as d,
                     '000.' || lpad((g %% 30)::text, 2, '0') || '.16.H56' as agency) as x
"""

QUATRINH_SQL = """
insert into raw.onestop_quatrinh
select
    '000.00.16.H56-' || to_char(%(day)s::date, 'YYMMDD') || '-'
        || lpad((g / 3 %% 10000)::text, 4, '0'),
    (1 + g %% 3)::text,
    (2 + g %% 8)::text,
    to_char(%(day)s::date, 'YYYY-MM-DD') || ' 08:30:00',
    case when g %% 40 = 0 then lower('000.00.16.H56') else '000.00.16.H56' end,
    '',
    null, %(batch)s, %(day)s, 'quatrinh.csv', g
from generate_series(1, %(rows)s) as g
"""


def add_onestop_batch(conn: psycopg.Connection, day: date, hoso: int, quatrinh: int) -> int:
    batch = conn.execute(
        "insert into audit.load_batches (system, export_date, manifest, status) "
        "values ('onestop', %s, '{}', 'loaded') returning batch_id",
        (day,),
    ).fetchone()[0]
    params = {"batch": batch, "day": day}
    conn.execute(HOSO_SQL, {**params, "rows": hoso})
    conn.execute(QUATRINH_SQL, {**params, "rows": quatrinh})
    for name, table, rows in (
        ("hoso.jsonl", "raw.onestop_hoso", hoso),
        ("quatrinh.csv", "raw.onestop_quatrinh", quatrinh),
    ):
        conn.execute(
            "insert into audit.batch_files (batch_id, file_name, raw_table, rows_declared, "
            "rows_loaded, rows_quarantined, sha256, bytes) values (%s, %s, %s, %s, %s, 0, '', 0)",
            (batch, name, table, rows, rows),
        )
    return batch


def timed(label: str, fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    seconds = time.perf_counter() - started
    print(f"{label:<58} {seconds:8.2f} s", flush=True)
    return value, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="hoso rows in the big batch")
    parser.add_argument("--days", type=int, default=30, help="batches in the backfill run")
    parser.add_argument("--small", type=int, default=1500, help="hoso rows in a small batch")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    temp_home = None
    if not os.environ.get("CCHC_WAREHOUSE_URL"):
        temp_home = Path(tempfile.mkdtemp(prefix="cchc-bench-", dir="/tmp"))
        os.environ["CCHC_HOME"] = str(temp_home)
    server = warehouse.warehouse_url()
    name = f"bench_quality_{os.getpid()}"
    with psycopg.connect(warehouse.conninfo(server), autocommit=True) as conn:
        conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        warehouse.bootstrap(url)
        run(url, args)
    finally:
        if not args.keep:
            with psycopg.connect(warehouse.conninfo(server), autocommit=True) as conn:
                conn.execute(
                    sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
                )
        if temp_home is not None:
            warehouse.stop_embedded()
            shutil.rmtree(temp_home, ignore_errors=True)


def run(url: str, args: argparse.Namespace) -> None:
    from cchc_warehouse import quality

    hoso = quality.suites()["raw.onestop_hoso"]
    print(
        f"warehouse: {make_url(url).database}; raw.onestop_hoso suite: "
        f"{len(hoso.expectations)} expectations"
    )
    day = date(2021, 12, 14)
    with warehouse.connect(url, autocommit=True) as conn:
        small = add_onestop_batch(conn, day, args.small, args.small * 3)
    timed("import + GX context + first small batch", quality.validate_batch, small, url)
    samples = [
        timed(
            f"small batch ({args.small} hoso + {args.small * 3} quatrinh rows)",
            quality.validate_batch,
            small,
            url,
        )[1]
        for _ in range(5)
    ]
    print(f"{'small batch, median of 5':<58} {statistics.median(samples):8.2f} s")

    with warehouse.connect(url, autocommit=True) as conn:
        _, seconds = timed(
            f"generate {args.rows:,} hoso rows (INSERT ... SELECT)",
            add_onestop_batch,
            conn,
            day - timedelta(days=1),
            args.rows,
            0,
        )
        big = conn.execute("select max(batch_id) from audit.load_batches").fetchone()[0]
        conn.execute("analyze raw.onestop_hoso")
    result, seconds = timed(
        f"validate_batch: {args.rows:,} hoso rows", quality.validate_batch, big, url
    )
    print(
        f"  -> success={result.success}, warnings={len(result.warnings)}; limit 10 s: "
        f"{'OK' if seconds <= 10 else 'OVER'}"
    )

    first = day + timedelta(days=30)
    with warehouse.connect(url, autocommit=True) as conn:
        ids = [
            add_onestop_batch(conn, first + timedelta(days=n), args.small, args.small * 3)
            for n in range(args.days)
        ]
        conn.execute("analyze")
    results, together = timed(
        f"validate_batches: {args.days} batches", quality.validate_batches, ids, url
    )
    started = time.perf_counter()
    singles = {b: quality.validate_batch(b, url) for b in ids}
    one_by_one = time.perf_counter() - started
    print(f"{f'validate_batch x {args.days}, one by one':<58} {one_by_one:8.2f} s")
    agree = all(
        results[b].success == singles[b].success and results[b].warnings == singles[b].warnings
        for b in ids
    )
    warned = sum(1 for r in results.values() if r.warnings)
    print(
        f"  -> verdicts and warnings agree: {agree}; {warned} batches with warnings; "
        f"speed-up {one_by_one / together:.1f}x"
    )
    timed("build_data_docs", quality.build_data_docs, url)


if __name__ == "__main__":
    main()
