"""Does partitioning pay? Measured on the warehouse a bench run leaves behind (all its years).

For the largest raw tables, a copy as the warehouse has it (one table, the `_batch_id` index) is
set beside a copy partitioned by month of `_export_date` (the same index on every partition), and the
operations that partitioning is meant to keep cheap are timed on both:

* a re-sent day: its rows inserted again under a new batch id (the loader's COPY) and the replaced
  batch deleted (`load.publish_batch`), here in one transaction;
* the vacuum that follows it (autovacuum's work: the whole table, or only the month's partition);
* the nightly read of the new batch by `_batch_id` (staging's access path), which a table
  partitioned by export month cannot prune;
* retention: removing the oldest export month (a delete, or detaching and dropping a partition).

For `fct_dossiers_received`, a copy partitioned by calendar year of `accepted_date` with the
model's indexes is queried beside the real table with the bench's province-year and
agency-year slices. Everything happens in a scratch schema (`bench_part`), dropped at the end.
"""

from __future__ import annotations

import statistics
import time

from bench import queries
from bench.common import connect

RAW_TABLES = {"raw.onestop_hoso": "onestop", "raw.docmgmt_trangthai": "docmgmt"}  # table: system
WARM_RUNS = 5
FACT_INDEXES = (
    "agency_code, accepted_date",
    "accepted_date, agency_code, outcome, timeliness, channel",
    "procedure_code",
)


def _timed(conn, statement: str, params=None) -> float:
    started = time.perf_counter()
    conn.execute(statement, params)
    return round(time.perf_counter() - started, 3)


def _months(conn, table: str) -> list:
    return [
        r[0]
        for r in conn.execute(
            f"select distinct date_trunc('month', _export_date)::date from {table} order by 1"
        )
    ]


def _copies(conn, table: str) -> tuple[str, str, dict]:
    """bench_part.<name>_plain and bench_part.<name>_part (by month of `_export_date`, which every
    raw row carries: the loader's COPY would not change), filled from `table`."""
    name = table.split(".")[1]
    plain, part = f"bench_part.{name}_plain", f"bench_part.{name}_part"
    built = {}
    conn.execute(f"create table {plain} (like {table} including all)")
    built["plain_fill_s"] = _timed(
        conn, f"insert into {plain} select * from {table} order by _batch_id"
    )
    conn.execute(
        f"create table {part} (like {table} including defaults) partition by range (_export_date)"
    )
    months = _months(conn, table)
    for m in months:
        conn.execute(
            f"create table {part}_{m:%Y%m} partition of {part} "
            f"for values from ('{m}') to ('{m}'::date + interval '1 month')"
        )
    conn.execute(f"create index on {part} (_batch_id)")
    built["part_fill_s"] = _timed(
        conn, f"insert into {part} select * from {table} order by _batch_id"
    )
    for t in (plain, part):
        conn.execute(f"vacuum (analyze) {t}")
    built["partitions"] = len(months)
    return plain, part, built


def _resend(conn, target: str, batch: int, new_batch: int, day, partitioned: bool) -> dict:
    """The day's batch replaced by the same rows under `new_batch`; then the vacuum and the read.
    On the partitioned copy the delete also names the export day (the loader knows it), so it
    touches one partition."""
    prune = " and _export_date = %s" if partitioned else ""
    params = (batch, day) if partitioned else (batch,)
    started = time.perf_counter()
    with conn.transaction():
        conn.execute(
            f"create temp table day_rows on commit drop as select * from {target} "
            f"where _batch_id = %s{prune}",
            params,
        )
        deleted = conn.execute(f"delete from {target} where _batch_id = %s{prune}", params).rowcount
        conn.execute("update day_rows set _batch_id = %s", (new_batch,))
        conn.execute(f"insert into {target} select * from day_rows")
    replace_s = round(time.perf_counter() - started, 3)
    vacuumed = f"{target}_{day:%Y%m}" if partitioned else target
    vacuum_s = _timed(conn, f"vacuum {vacuumed}")
    reads = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        conn.execute(f"select count(*) from {target} where _batch_id = any(%s)", ([new_batch],))
        reads.append((time.perf_counter() - started) * 1000)
    return {
        "rows": deleted,
        "replace_s": replace_s,
        "vacuum_s": vacuum_s,
        "vacuumed": vacuumed,
        "read_new_batch_ms": round(statistics.median(reads), 2),
    }


def _retention(conn, plain: str, part: str, month) -> dict:
    """Remove the oldest export month from both copies."""
    delete_s = _timed(
        conn,
        f"delete from {plain} where _export_date >= %s and _export_date < %s::date + interval '1 month'",
        (month, month),
    )
    vacuum_s = _timed(conn, f"vacuum {plain}")
    drop_s = _timed(conn, f"alter table {part} detach partition {part}_{month:%Y%m}")
    drop_s += _timed(conn, f"drop table {part}_{month:%Y%m}")
    return {
        "month": str(month),
        "delete_s": delete_s,
        "vacuum_after_delete_s": vacuum_s,
        "detach_drop_s": round(drop_s, 3),
    }


def _fact_queries(conn, params: dict) -> dict:
    """The bench's fact slices on the real table and on a copy partitioned by year."""
    conn.execute(
        "create table bench_part.fct_dossiers_received (like marts.fct_dossiers_received) "
        "partition by range (accepted_date)"
    )
    years = [
        r[0]
        for r in conn.execute(
            "select distinct extract(year from accepted_date)::int from marts.fct_dossiers_received "
            "where accepted_date is not null order by 1"
        )
    ]
    for y in years:
        conn.execute(
            f"create table bench_part.fct_dossiers_received_{y} partition of "
            f"bench_part.fct_dossiers_received for values from ('{y}-01-01') to ('{y + 1}-01-01')"
        )
    conn.execute(
        "create table bench_part.fct_dossiers_received_other partition of "
        "bench_part.fct_dossiers_received default"
    )
    for columns in FACT_INDEXES:  # the model's, but the unique one (needs the partition key)
        conn.execute(f"create index on bench_part.fct_dossiers_received ({columns})")
    conn.execute(
        "insert into bench_part.fct_dossiers_received select * from marts.fct_dossiers_received"
    )
    conn.execute("vacuum (analyze) bench_part.fct_dossiers_received")
    out = {}
    for name in ("province_year_fact", "agency_year_fact", "agency_12_months_fact"):
        sql = queries.QUERIES[name][1]
        out[name] = {
            "table": _median_ms(conn, sql, params),
            "partitioned": _median_ms(
                conn,
                sql.replace("marts.fct_dossiers_received", "bench_part.fct_dossiers_received"),
                params,
            ),
        }
    return out


def _median_ms(conn, sql: str, params: dict) -> float:
    conn.execute(sql, params).fetchall()  # warm
    runs = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        conn.execute(sql, params).fetchall()
        runs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(runs), 2)


def step_partitions(url: str, day: str, year: int) -> dict:
    """Child step: the experiment of the module docstring, on the bench warehouse at `url`."""
    out: dict = {"day": day, "tables": {}}
    with connect(url, autocommit=True) as conn:
        conn.execute("drop schema if exists bench_part cascade")
        conn.execute("create schema bench_part")
        try:
            next_batch = conn.execute(
                "select max(batch_id) + 1000 from audit.load_batches"
            ).fetchone()[0]
            for table, system in RAW_TABLES.items():
                batch, export_date = conn.execute(
                    "select batch_id, export_date from audit.load_batches where system = %s "
                    "and export_date = %s and status = 'published'",
                    (system, day),
                ).fetchone()
                plain, part, built = _copies(conn, table)
                rows = conn.execute(f"select count(*) from {plain}").fetchone()[0]
                t = {"rows": rows, **built}
                t["resend_plain"] = _resend(conn, plain, batch, next_batch, export_date, False)
                t["resend_partitioned"] = _resend(conn, part, batch, next_batch, export_date, True)
                t["retention"] = _retention(conn, plain, part, _months(conn, plain)[0])
                out["tables"][table] = t
                next_batch += 1
            params = queries.pick_agency_and_year(url, year)
            out["fact_rows"] = conn.execute(
                "select count(*) from marts.fct_dossiers_received"
            ).fetchone()[0]
            out["fact_queries"] = _fact_queries(conn, params)
            out["query_params"] = {k: str(v) for k, v in params.items()}
        finally:
            conn.execute("drop schema if exists bench_part cascade")
    return out
