"""Publish what people read once the marts are current: Great Expectations Data Docs, dbt docs
(with the warehouse catalog) and the annual report files (.cchc/reports/ or CCHC_REPORTS_DIR). Scheduled on the `cchc_marts` Asset."""

from airflow.sdk import DAG, dag, task
from cchc_warehouse.orchestration import DEFAULT_ARGS, MARTS, START, task_failed


@dag(
    dag_id="publish_reports",
    description="Data Docs, dbt docs and report files, after each warehouse build",
    schedule=[MARTS],
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args={**DEFAULT_ARGS, "on_failure_callback": task_failed},
    tags=["cchc", "publish"],
    doc_md=__doc__,
)
def publish_reports():
    @task
    def data_docs() -> str:
        """Great Expectations Data Docs: every batch validation, in HTML."""
        from cchc_warehouse import publish

        return str(publish.build_data_docs())

    @task(pool="dbt")
    def dbt_docs() -> str:
        """dbt docs with the catalog: what BI users read about every mart and column."""
        from cchc_warehouse import publish

        return str(publish.build_dbt_docs())

    @task
    def annual_report() -> list[str]:
        """The province's annual appendix (xlsx, html, pdf) for the current nd09 year."""
        from cchc_warehouse import publish

        return [str(p) for p in publish.write_current_reports()]

    data_docs()
    dbt_docs()
    annual_report()


dag: DAG = publish_reports()
