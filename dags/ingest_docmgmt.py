"""Nightly ingest of the document-management export: vanban.csv (registers), noinhan.csv
(recipients), trangthai.xml (exchange statuses) -> raw.docmgmt_*, checked by GX, published.

One run per export day (02:00 local the next morning; catchup on). Tasks: wait_for_manifest
(deferred until manifest.json lands, or the 06:00 deadline) -> load -> check -> publish.
"""

from airflow.sdk import DAG
from cchc_warehouse.orchestration import ingest_dag

dag: DAG = ingest_dag("docmgmt", "vanban.csv, noinhan.csv, trangthai.xml", doc_md=__doc__)
