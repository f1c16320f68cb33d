"""Checkpoints: one per source system, validating that system's raw tables for one load batch.

A checkpoint is parametrised at run time: the load batch (a row condition `_batch_id == id`, or
`_batch_id IN (...)` for a backfill) and the expectation parameters each suite declares
(`expected_rows__<table>`, `volume_min__<table>`, `volume_max__<table>`). Data Docs are not
rebuilt by every run (that would re-render every stored result each time): `cchc docs` /
the publish DAG call `quality.build_data_docs()`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: GX result format: unexpected counts always; a few sample values only where they are cheap
#: (the samples cost one more scan per expectation that finds nothing, so not on big batches)
SAMPLE_VALUES = 5
SAMPLE_MAX_ROWS = 200_000


@dataclass(frozen=True)
class CheckpointSpec:
    name: str
    system: str
    tables: tuple[str, ...]  # schema-qualified raw tables, suites of the same name

    def result_format(self, rows: int) -> dict:
        """BASIC with sample values for ordinary batches, counts only for very large ones."""
        samples = SAMPLE_VALUES if rows <= SAMPLE_MAX_ROWS else 0
        return {"result_format": "BASIC", "partial_unexpected_count": samples}


CHECKPOINTS: dict[str, CheckpointSpec] = {
    "onestop": CheckpointSpec(
        "onestop_batch", "onestop", ("raw.onestop_hoso", "raw.onestop_quatrinh")
    ),
    "docmgmt": CheckpointSpec(
        "docmgmt_batch",
        "docmgmt",
        ("raw.docmgmt_vanban", "raw.docmgmt_noinhan", "raw.docmgmt_trangthai"),
    ),
    "portal": CheckpointSpec(
        "portal_batch",
        "portal",
        ("raw.portal_coquan", "raw.portal_thutuc", "raw.portal_thanhtoan", "raw.portal_danhgia"),
    ),
}
