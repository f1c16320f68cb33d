"""Build the warehouse with dbt (staging -> intermediate -> marts), each model followed by its
tests: one `dbt build` run by Cosmos, its log listing every model and test as dbt runs it.

Scheduled on the raw Assets: it runs after any source system publishes an export day (events that
arrive together are batched into one run). Two builds never overlap (max_active_runs=1: two dbt
builds of one target would collide). When every model and test passed, `marts_ready` updates the
`cchc_marts` Asset (which triggers publish_reports); a failed build leaves it untouched.
"""

from airflow.sdk import DAG, dag, task
from cchc_warehouse.orchestration import (
    DEFAULT_ARGS,
    MARTS,
    START,
    dbt_build_task,
    raw_asset,
    task_failed,
)


@dag(
    dag_id="build_warehouse",
    description="dbt build of staging, intermediate and marts (one Cosmos dbt build), after new raw data",
    schedule=raw_asset("onestop") | raw_asset("docmgmt") | raw_asset("portal"),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "retries": 1, "on_failure_callback": task_failed},
    tags=["cchc", "dbt"],
    doc_md=__doc__,
)
def build_warehouse():
    @task(outlets=[MARTS])
    def marts_ready() -> None:
        """Every model and test passed: the marts are current (triggers publish_reports)."""

    dbt_build_task() >> marts_ready()


dag: DAG = build_warehouse()
