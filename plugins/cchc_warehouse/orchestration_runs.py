"""Run the project's DAGs in this process with `dag.test()` (real Airflow task execution and
metadata, no scheduler): used by `make demo` and the end-to-end tests."""

from __future__ import annotations

import functools
import logging
from datetime import date

log = logging.getLogger(__name__)


@functools.cache
def dag_bag():
    """The DAG files of dags/, parsed once (call airflow_env.apply() first)."""
    from airflow.dag_processing.dagbag import DagBag

    from cchc_warehouse.warehouse import PROJECT_ROOT

    bag = DagBag(dag_folder=str(PROJECT_ROOT / "dags"))
    if bag.import_errors:
        raise RuntimeError(
            "; ".join(f"{f}: {e.strip().splitlines()[-1]}" for f, e in bag.import_errors.items())
        )
    return bag


def run_dag(dag_id: str, logical_date=None, conf: dict | None = None) -> str:
    """One DAG run via dag.test(); returns the run's final state ('success' or 'failed')."""
    dag = dag_bag().dags[dag_id]
    run = dag.test(logical_date=logical_date, run_conf=conf)
    return str(run.state.value if hasattr(run.state, "value") else run.state)


def run_ingest(system: str, export_day: date) -> str:
    from cchc_warehouse.orchestration import logical_date_for

    return run_dag(f"ingest_{system}", logical_date_for(export_day))


def run_build() -> str:
    return run_dag("build_warehouse")


def task_states(dag_id: str, run_state_only: bool = False) -> dict[str, str]:
    """Task states of the DAG's latest run (for tests and messages)."""
    from airflow.models.dagrun import DagRun

    runs = DagRun.find(dag_id=dag_id)
    if not runs:
        return {}
    latest = max(runs, key=lambda r: r.id)
    return {ti.task_id: str(ti.state) for ti in latest.get_task_instances()}
