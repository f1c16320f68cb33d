"""Build the warehouse with dbt (staging -> intermediate -> marts), each model followed by its
tests, rendered as Airflow tasks by Cosmos from dbt's manifest.

Scheduled on the raw Assets: it runs after any source system publishes an export day (events that
arrive together are batched into one run). Two builds never overlap (max_active_runs=1: two dbt
builds of one target would collide); within a build the `dbt` pool runs two model tasks at a time.
Updates the `cchc_marts` Asset.
"""

from airflow.sdk import DAG, dag, task
from cchc_warehouse.orchestration import (
    DEFAULT_ARGS,
    MARTS,
    START,
    dbt_task_group,
    raw_asset,
    task_failed,
)


@dag(
    dag_id="build_warehouse",
    description="dbt build of staging, intermediate and marts (Cosmos), after new raw data",
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

    dbt_task_group() >> marts_ready()


dag: DAG = build_warehouse()
