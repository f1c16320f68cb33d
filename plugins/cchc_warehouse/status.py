"""`cchc status`: what was loaded, what was quarantined, what failed or is missing, per system and day."""

from __future__ import annotations

import logging
import sys

from rich.console import Console
from rich.table import Table

from cchc_warehouse.formatting import vn_int
from cchc_warehouse.warehouse import connect

log = logging.getLogger(__name__)

SUMMARY_SQL = """
select
    d.system,
    min(d.export_date) as first_day,
    max(d.export_date) as last_day,
    count(*) filter (where d.status = 'published') as published,
    count(*) filter (where d.status = 'failed') as failed,
    count(*) filter (where d.status = 'rejected') as rejected,
    count(*) filter (where d.status = 'missing') as missing,
    count(*) filter (where d.arrived_late) as late,
    coalesce(sum(f.declared), 0) as declared,
    coalesce(sum(f.loaded), 0) as loaded,
    coalesce(sum(f.quarantined), 0) as quarantined
from audit.day_status as d
left join (
    select batch_id, sum(rows_declared) as declared, sum(rows_loaded) as loaded,
           sum(rows_quarantined) as quarantined
    from audit.batch_files group by batch_id
) as f on f.batch_id = d.batch_id and d.status = 'published'
where %(system)s::text is null or d.system = %(system)s
group by d.system
order by d.system
"""

DAYS_SQL = """
select
    d.export_date,
    d.system,
    d.status,
    d.arrived_late,
    d.gx_success,
    sum(f.rows_declared) as declared,
    sum(f.rows_loaded) as loaded,
    sum(f.rows_quarantined) as quarantined,
    d.message
from audit.day_status as d
left join audit.batch_files as f on f.batch_id = d.batch_id
where d.export_date > (select max(export_date) from audit.day_status) - %(days)s
  and (%(system)s::text is null or d.system = %(system)s)
group by d.export_date, d.system, d.status, d.arrived_late, d.gx_success, d.message
order by d.export_date desc, d.system
"""

PROBLEMS_SQL = """
select system, export_date, status, message
from audit.day_status
where status <> 'published' and (%(system)s::text is null or system = %(system)s)
order by export_date desc, system
limit 30
"""

DAG_RUNS_SQL = """
select distinct on (dag_id) dag_id, run_id, state, logical_date, start_date, end_date
from dag_run
order by dag_id, start_date desc nulls last
"""

STYLE = {
    "published": "green",
    "failed": "red",
    "rejected": "red",
    "missing": "yellow",
    "waiting": "yellow",
}


def _gx(value: bool | None) -> str:
    return {True: "passed", False: "FAILED", None: "-"}[value]


def print_status(days: int = 14, system: str | None = None, console: Console | None = None) -> None:
    console = console or Console(width=None if sys.stdout.isatty() else 160)
    params = {"days": days, "system": system}
    with connect() as conn:
        summary = conn.execute(SUMMARY_SQL, params).fetchall()
        recent = conn.execute(DAYS_SQL, params).fetchall()
        problems = conn.execute(PROBLEMS_SQL, params).fetchall()
    if not summary:
        console.print(
            "Nothing loaded yet. Load days with `cchc backfill --landing DIR --start ... --end ...`."
        )
        return
    t = Table(title="Loads per system (published days)", title_justify="left")
    for col in (
        "system",
        "first day",
        "last day",
        "published",
        "failed",
        "rejected",
        "missing",
        "late",
        "rows declared",
        "loaded",
        "quarantined",
    ):
        t.add_column(col, justify="right" if col not in ("system",) else "left")
    for r in summary:
        t.add_row(
            r[0],
            str(r[1]),
            str(r[2]),
            vn_int(r[3]),
            vn_int(r[4]),
            vn_int(r[5]),
            vn_int(r[6]),
            vn_int(r[7]),
            vn_int(r[8]),
            vn_int(r[9]),
            vn_int(r[10]),
        )
    console.print(t)

    t = Table(title=f"Last {days} export days", title_justify="left")
    for col in (
        "export day",
        "system",
        "status",
        "declared",
        "loaded",
        "quarantined",
        "GX",
        "late",
    ):
        t.add_column(
            col, justify="right" if col in ("declared", "loaded", "quarantined") else "left"
        )
    for r in recent:
        style = STYLE.get(r[2], "")
        t.add_row(
            str(r[0]),
            r[1],
            f"[{style}]{r[2]}[/]" if style else r[2],
            vn_int(r[5]),
            vn_int(r[6]),
            vn_int(r[7]),
            _gx(r[4]),
            "late" if r[3] else "",
        )
    console.print(t)

    if problems:
        t = Table(title="Days that are not published (newest first)", title_justify="left")
        for col in ("export day", "system", "status", "why"):
            t.add_column(col)
        for r in problems:
            t.add_row(str(r[1]), r[0], r[2], (r[3] or "")[:160])
        console.print(t)
    _print_dag_runs(console)


def _print_dag_runs(console: Console) -> None:
    """The last run of every DAG, from Airflow's metadata database (when it exists)."""
    import psycopg

    from cchc_warehouse.airflow_env import metadata_conninfo

    try:
        with psycopg.connect(metadata_conninfo(), connect_timeout=3) as conn:
            runs = conn.execute(DAG_RUNS_SQL).fetchall()
    except psycopg.Error:
        log.debug("no Airflow metadata database to read DAG runs from")
        return
    if not runs:
        return
    t = Table(title="Last run of every DAG", title_justify="left")
    for col in ("DAG", "run", "state", "logical date", "started", "ended"):
        t.add_column(col)
    for r in runs:
        t.add_row(
            r[0],
            r[1],
            r[2] or "-",
            str(r[3] or "-")[:16],
            str(r[4] or "-")[:19],
            str(r[5] or "-")[:19],
        )
    console.print(t)
