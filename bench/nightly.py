"""Nightly runs after a backfill: one export day at a time, through the real DAGs (dag.test:
ingest_onestop, ingest_docmgmt, ingest_portal, then build_warehouse: one dbt build) and through the
CLI path (pipeline.backfill of one day: load, GX, publish, incremental dbt build).

dag.test runs the three ingest DAGs one after the other in one process (the scheduler would run
them side by side) and has no scheduler latency; the figure is "from the first ingest task to the
marts", with the DAG files parsed beforehand (the dag-processor does that ahead of time)."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

SYSTEMS = ("onestop", "docmgmt", "portal")

TASKS_SQL = """
select ti.task_id, ti.state, extract(epoch from ti.end_date - ti.start_date) as seconds
from task_instance ti
where ti.dag_id = %(dag)s
  and ti.run_id = (select run_id from dag_run where dag_id = %(dag)s order by id desc limit 1)
order by ti.start_date
"""


def _airflow_env(landing: str, first_day: str, last_day: str) -> None:
    os.environ["CCHC_START_DATE"] = first_day
    os.environ["CCHC_END_DATE"] = last_day
    from cchc_warehouse import airflow_env

    airflow_env.apply(landing)


def step_airflow_migrate(landing: str, first_day: str, last_day: str) -> dict:
    """Child step: Airflow's metadata database (the bench's own) and the dbt pool."""
    _airflow_env(landing, first_day, last_day)
    from cchc_warehouse import airflow_env

    started = time.perf_counter()
    airflow_env.migrate()
    return {"seconds": round(time.perf_counter() - started, 2)}


def _last_run_tasks(dag_id: str) -> list[dict]:
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).set(drivername="postgresql")
    with psycopg.connect(url.render_as_string(hide_password=False)) as conn:
        rows = conn.execute(TASKS_SQL, {"dag": dag_id}).fetchall()
    return [
        {"task": t, "state": s, "seconds": round(float(sec), 2) if sec is not None else None}
        for t, s, sec in rows
    ]


def _rows_of_day(day: date) -> dict:
    from cchc_warehouse.warehouse import connect

    with connect() as conn:
        rows = conn.execute(
            "select b.system, b.status, coalesce(sum(f.rows_loaded), 0), coalesce(sum(f.rows_quarantined), 0) "
            "from audit.load_batches b left join audit.batch_files f using (batch_id) "
            "where b.export_date = %s and b.status in ('published', 'rejected', 'loaded') "
            "group by 1, 2",
            (day,),
        ).fetchall()
    return {
        system: {"status": status, "rows_loaded": int(n), "rows_quarantined": int(q)}
        for system, status, n, q in rows
    }


def step_nights_dag(landing: str, days: list[str], first_day: str, last_day: str) -> dict:
    """Child step: for each export day, the three ingest DAGs then the build DAG, via dag.test."""
    _airflow_env(landing, first_day, last_day)
    from cchc_warehouse import orchestration_runs as runs

    started = time.perf_counter()
    runs.dag_bag()
    parse_s = time.perf_counter() - started
    nights = []
    for text in days:
        day = date.fromisoformat(text)
        night_start = time.perf_counter()
        ingest = {}
        for system in SYSTEMS:
            t = time.perf_counter()
            state = runs.run_ingest(system, day)
            ingest[system] = {
                "state": state,
                "seconds": round(time.perf_counter() - t, 2),
                "tasks": _last_run_tasks(f"ingest_{system}"),
            }
        ingest_s = time.perf_counter() - night_start
        t = time.perf_counter()
        build_state = runs.run_build()
        build_s = time.perf_counter() - t
        tasks = _last_run_tasks("build_warehouse")
        task_seconds = [x["seconds"] for x in tasks if x["seconds"] is not None]
        nights.append(
            {
                "day": text,
                "weekday": day.strftime("%a"),
                "total_s": round(time.perf_counter() - night_start, 2),
                "ingest_s": round(ingest_s, 2),
                "build_s": round(build_s, 2),
                "build_state": build_state,
                "ingest": ingest,
                "build_tasks": len(tasks),
                "build_task_seconds_sum": round(sum(task_seconds), 2),
                "build_slowest_tasks": sorted(
                    (x for x in tasks if x["seconds"] is not None),
                    key=lambda x: -x["seconds"],
                )[:6],
                "rows": _rows_of_day(day),
            }
        )
    return {"dag_parse_s": round(parse_s, 2), "nights": nights}


def step_night_cli(landing: str, days: list[str]) -> dict:
    """Child step: for each export day, `cchc backfill` of that one day as the CLI runs it
    (pipeline.backfill in process: load the three systems, GX, publish, incremental dbt build)."""
    from cchc_warehouse import pipeline

    from bench.build import run_results_summary

    nights = []
    for day in days:
        d = date.fromisoformat(day)
        started = time.perf_counter()
        report = pipeline.backfill(Path(landing), d, d)
        total = time.perf_counter() - started
        nights.append(
            {
                "day": day,
                "weekday": d.strftime("%a"),
                "total_s": round(total, 2),
                "load_s": round(report.load_seconds, 2),
                "check_s": round(report.check_seconds, 2),
                "build_s": round(report.build_seconds, 2),
                "outcomes": [
                    {
                        "system": o.system,
                        "status": o.status,
                        "rows": o.rows_loaded,
                        "quarantined": o.rows_quarantined,
                    }
                    for o in report.outcomes
                ],
                "dbt": run_results_summary(),
                "rows": _rows_of_day(d),
            }
        )
    return {"nights": nights}
