"""Nightly ingest of the one-stop-shop export: hoso.jsonl (dossier versions) and quatrinh.csv
(processing steps) for one export day -> raw.onestop_*, checked by GX, published as a batch.

One run per export day (02:00 local the next morning; catchup on). Tasks: wait_for_manifest
(deferred until manifest.json lands, or the 06:00 deadline) -> load -> check -> publish.
"""

from airflow.sdk import DAG
from cchc_warehouse.orchestration import ingest_dag

dag: DAG = ingest_dag("onestop", "hoso.jsonl, quatrinh.csv", doc_md=__doc__)
