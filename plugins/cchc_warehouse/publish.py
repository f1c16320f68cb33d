"""Publishing what people read: dbt docs, Great Expectations Data Docs, and the report files."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def build_dbt_docs(url: str | None = None) -> Path:
    """`dbt docs generate` (catalog from the warehouse) -> .cchc/dbt/target/index.html."""
    from cchc_warehouse import dbt

    dbt.run_dbt(["docs", "generate"], url)
    index = dbt.target_path() / "index.html"
    log.info("dbt docs: %s (or `cchc dbt docs serve` for a local server)", index)
    return index


def build_data_docs(url: str | None = None) -> Path:
    from cchc_warehouse import quality

    index = quality.build_data_docs(url)
    log.info("Great Expectations Data Docs: %s", index)
    return index


def build_docs(url: str | None = None, data_docs: bool = True) -> dict[str, Path]:
    paths = {"dbt docs": build_dbt_docs(url)}
    if data_docs:
        paths["Data Docs"] = build_data_docs(url)
    return paths
