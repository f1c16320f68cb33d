"""`make demo`: a small province from the simulator, loaded night by night by the real Airflow DAGs
(dag.test, in this process), built by the build DAG (Cosmos + dbt), then the year's on-time table."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cchc_warehouse.formatting import vn_int, vn_pct

log = logging.getLogger(__name__)

DEMO_START = date(2021, 11, 15)  # the nd09 month 2021-12, the last month of the nd09 year 2021
DEMO_END = date(2021, 12, 14)
# generated but left for `make airflow`: its scheduler runs that night, and the marts move on
HELD_BACK = DEMO_END + timedelta(days=1)
DEMO_YEAR = 2021
SYSTEMS = ("onestop", "docmgmt", "portal")

YEAR_TABLE_SQL = """
select
    r.agency_code,
    coalesce(a.agency_name, '(không có trong danh mục)') as agency_name,
    r.received,
    r.resolved,
    r.resolved_early,
    r.resolved_on_time,
    r.resolved_late,
    r.pending,
    r.on_time_rate
from marts.rpt_dossier_resolution as r
left join marts.dim_agency as a
    on a.agency_code = r.agency_code and a.is_current
where r.period_convention = 'nd09' and r.period_type = 'year' and r.period_label = %s
order by r.received desc, r.agency_code
"""


@contextlib.contextmanager
def output_to(path: Path):
    """Send everything written to fd 1 and 2 (Airflow's task logs) to a file; keep the console."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as f:
        os.dup2(f.fileno(), 1)
        os.dup2(f.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _why_failed(url: str, system: str, day: date) -> str:
    """The warehouse's own account of a failed night: the last day event (a missing day, a load
    that failed) or the batch GX rejected. The simulator's defects make a few such nights."""
    from cchc_warehouse.warehouse import connect

    with connect(url) as conn:
        row = (
            conn.execute(
                "select message from audit.day_events where system = %s and export_date = %s"
                " and event in ('failed', 'missing') order by event_id desc limit 1",
                (system, day),
            ).fetchone()
            or conn.execute(
                "select message from audit.load_batches where system = %s and export_date = %s"
                " and status = 'rejected' order by batch_id desc limit 1",
                (system, day),
            ).fetchone()
        )
    reason = row[0] if row and row[0] else "see the task log"
    return f"{reason} (a defect the simulator switched on; `cchc status` lists it)"


def run(console: Console | None = None) -> int:
    from cchc_warehouse import airflow_env, simulate, warehouse
    from cchc_warehouse.orchestration_runs import run_build, run_dag, run_ingest

    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 170)
    home = warehouse.home()
    landing = home / "demo" / "landing"
    airflow_log = home / "demo" / "airflow.log"
    started = time.perf_counter()

    console.rule("[bold]CCHC warehouse demo")
    url = warehouse.warehouse_url()
    warehouse.bootstrap(url)
    console.print(f"Warehouse (embedded PostgreSQL): {url}")

    if landing.exists():
        shutil.rmtree(landing)
    console.print(
        f"Generating a small province's exports {DEMO_START} .. {HELD_BACK} into {landing}"
        f" (the DAGs run the nights up to {DEMO_END}; {HELD_BACK} is left for `make airflow`)"
    )
    simulate.generate(landing, DEMO_START, HELD_BACK, seed=2021, scale="small", defects="all")

    console.print(
        f"Preparing Airflow (metadata in the '{warehouse.AIRFLOW_DB}' database; task logs in {airflow_log})"
    )
    # the DAGs' nights are the demo's export days (what `make airflow` will also schedule)
    os.environ["CCHC_START_DATE"] = DEMO_START.isoformat()
    os.environ["CCHC_END_DATE"] = DEMO_END.isoformat()
    airflow_env.apply(landing)
    with output_to(airflow_log):
        airflow_env.migrate()
    day = DEMO_START
    n_days = (DEMO_END - DEMO_START).days + 1
    for i in range(n_days):
        day = date.fromordinal(DEMO_START.toordinal() + i)
        with output_to(airflow_log):
            states = {system: run_ingest(system, day) for system in SYSTEMS}
        cells = "  ".join(
            f"{s} {'ok' if st == 'success' else st.upper()}" for s, st in states.items()
        )
        console.print(f"  night of {day}: ingest DAGs {cells}")
        for system, state in states.items():
            if state != "success":
                console.print(f"    {system}: {_why_failed(url, system, day)}")
    console.print(
        "Building the marts: build_warehouse DAG (one dbt build: every model, then its tests)"
    )
    with output_to(airflow_log):
        build_state = run_build()
    if build_state != "success":
        console.print(f"[red]build_warehouse ended {build_state}; see {airflow_log}")
        return 1
    console.print("Publishing: publish_reports DAG (Great Expectations Data Docs, dbt docs)")
    with output_to(airflow_log):
        publish_state = run_dag("publish_reports")
    if publish_state != "success":
        console.print(f"[yellow]publish_reports ended {publish_state}; see {airflow_log}")

    print_year_table(console, DEMO_YEAR)
    from cchc_warehouse.publish import reports_dir

    _write_appendix(console, reports_dir() / f"bao-cao-cchc-{DEMO_YEAR}.xlsx")
    _print_next_steps(console, url, landing, airflow_log, time.perf_counter() - started)
    return 0


def print_year_table(console: Console, year: int) -> None:
    from cchc_warehouse.warehouse import connect

    with connect() as conn:
        rows = conn.execute(YEAR_TABLE_SQL, (str(year),)).fetchall()
        period = conn.execute(
            "select period_start, period_end from marts.dim_reporting_period where period_convention = 'nd09' "
            "and period_type = 'year' and period_label = %s",
            (str(year),),
        ).fetchone()
    from cchc_warehouse.formatting import vn_period

    title = (
        f"Tình hình, kết quả giải quyết TTHC năm {year} ({vn_period(*period)})"
        if period
        else str(year)
    )
    t = Table(title=title, title_justify="left")
    t.add_column("Cơ quan", no_wrap=True, max_width=48, overflow="ellipsis")
    t.add_column("Mã", no_wrap=True, min_width=13)
    for col in (
        "Tiếp nhận",
        "Đã giải quyết",
        "Trước hạn",
        "Đúng hạn",
        "Quá hạn",
        "Đang giải quyết",
        "Tỷ lệ đúng hạn",
    ):
        t.add_column(col, justify="right", no_wrap=True)
    totals = [0] * 6
    for r in rows:
        t.add_row(r[1], r[0], *(vn_int(v) for v in r[2:8]), vn_pct(r[8]))
        totals = [a + (b or 0) for a, b in zip(totals, r[2:8], strict=True)]
    on_time = (totals[2] + totals[3]) / totals[1] * 100 if totals[1] else None
    t.add_row(
        "[bold]Toàn tỉnh", "", *(f"[bold]{vn_int(v)}" for v in totals), f"[bold]{vn_pct(on_time)}"
    )
    console.print(t)


def _write_appendix(console: Console, out: Path) -> list[Path]:
    """The annual appendix of the demo province (seed 001's form), straight from the marts."""
    from cchc_warehouse.errors import CchcError
    from cchc_warehouse.reports import write_report

    try:
        paths = write_report(year=DEMO_YEAR, out=out)
    except CchcError as exc:
        console.print(f"[red]annual report: {exc}")
        return []
    console.print(f"\nAnnual CCHC appendix {DEMO_YEAR} (phụ lục thống kê số liệu báo cáo CCHC):")
    for path in paths:
        console.print(f"  {path}")
    return paths


def _print_next_steps(
    console: Console, url: str, landing: Path, airflow_log: Path, seconds: float
) -> None:
    from cchc_warehouse import dbt
    from cchc_warehouse.warehouse import home

    console.print(f"\nDone in {seconds:.0f} s. Where to look next:")
    console.print(
        f'  warehouse URL      {url}   (psql "{url}"; BI reads schema marts as role bi_reader)'
    )
    console.print(f"  landing folder     {landing}   (ground truth in {landing / '_truth'})")
    console.print("  load audit         .venv/bin/cchc status")
    console.print(
        f"  Data Docs (GX)     {home() / 'gx' / 'data_docs' / 'local_site' / 'index.html'}   (make docs)"
    )
    console.print(f"  dbt docs           {dbt.target_path() / 'index.html'}   (make docs)")
    console.print(f"  Airflow task logs  {airflow_log}")
    console.print(
        f"  Airflow UI         make airflow   (its scheduler runs the night of {HELD_BACK}, held"
        " back, then the build and publish DAGs: watch them in the UI, then cchc status)"
    )
