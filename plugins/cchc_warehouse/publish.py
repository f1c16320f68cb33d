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


def reports_dir() -> Path:
    import os

    from cchc_warehouse.warehouse import home

    return Path(os.environ.get("CCHC_REPORTS_DIR") or home() / "reports")


def nd09_year(day) -> int:
    """The nd09 reporting year a day belongs to (15/12 of Y-1 .. 14/12 of Y)."""
    return day.year + 1 if (day.month, day.day) >= (12, 15) else day.year


def write_current_reports(url: str | None = None) -> list[Path]:
    """The province's annual appendix for the nd09 year of the latest loaded export day."""
    from cchc_warehouse.reports import write_report
    from cchc_warehouse.warehouse import connect

    with connect(url) as conn:
        as_of = conn.execute(
            "select max(export_date) from audit.load_batches where status = 'published'"
        ).fetchone()[0]
    if as_of is None:
        log.info("nothing published yet: no report to write")
        return []
    year = nd09_year(as_of)
    out = reports_dir() / f"bao-cao-cchc-{year}.xlsx"
    paths = write_report(year=year, out=out, url=url)
    log.info("annual CCHC appendix %s (data as of %s): %s", year, as_of, ", ".join(map(str, paths)))
    return paths
