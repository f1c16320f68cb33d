"""Nightly ingest of the public-service portal export: coquan.json (agency directory),
thutuc.json (procedure catalogue), thanhtoan.csv (payments), danhgia.xlsx (ratings) -> raw.portal_*.

One run per export day (02:00 local the next morning; catchup on). Tasks: wait_for_manifest
(deferred until manifest.json lands, or the 06:00 deadline) -> load -> check -> publish.
"""

from airflow.sdk import DAG
from cchc_warehouse.orchestration import ingest_dag

dag: DAG = ingest_dag(
    "portal", "coquan.json, thutuc.json, thanhtoan.csv, danhgia.xlsx", doc_md=__doc__
)
