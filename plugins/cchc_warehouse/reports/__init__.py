"""The report writer: the annual CCHC appendix (seed 001), the period form "tình hình, kết quả
giải quyết TTHC" and the document-exchange table, straight from `marts`, in Vietnamese, checked,
as .xlsx, .html and (with Chromium installed) .pdf.

`write_report` is what `cchc report` calls. It always writes the files; when a check finds
figures that contradict each other it marks them in the files and then raises
`ReportCheckError`, so the command exits non-zero. Incomplete data (missing export days) is
marked loudly in the files but is not an error.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import psycopg

from cchc_warehouse.errors import CchcError
from cchc_warehouse.reports import chromium
from cchc_warehouse.reports.checks import run_checks
from cchc_warehouse.reports.content import build_content
from cchc_warehouse.reports.html import write_html
from cchc_warehouse.reports.model import ReportData
from cchc_warehouse.reports.queries import ReportError, read_report
from cchc_warehouse.reports.xlsx import write_xlsx
from cchc_warehouse.warehouse import connect

log = logging.getLogger(__name__)

SUFFIXES = (".xlsx", ".html", ".pdf")

__all__ = ["ReportCheckError", "ReportError", "load_report", "output_paths", "write_report"]


class ReportCheckError(CchcError):
    """The report's figures failed a check: the files are written with the errors marked."""


def output_paths(out: Path) -> dict[str, Path]:
    """`report.xlsx` (or `report`, `report.html`, `report.pdf`) -> the three files side by side."""
    out = Path(out)
    if out.suffix.lower() in SUFFIXES:
        base = out.with_suffix("")
    elif out.suffix:
        raise ReportError(f"--out {out}: use a name ending in .xlsx, .html or .pdf (or no suffix)")
    else:
        base = out
    return {s.lstrip("."): base.with_name(base.name + s) for s in SUFFIXES}


def load_report(
    *,
    year: int,
    scope: str | None = None,
    period: str | None = None,
    convention: str = "nd09",
    url: str | None = None,
) -> ReportData:
    """Read the report's data from the warehouse and run its checks (no file written)."""
    with connect(url) as conn:
        conn.read_only = True
        try:
            data = read_report(
                conn, year=year, scope=scope, period_label=period, convention=convention
            )
        except psycopg.errors.UndefinedTable as exc:
            found = re.search(r'relation "([^"]+)"', str(exc))
            raise ReportError(
                f"the warehouse has no {found.group(1) if found else 'marts'}: load and build it "
                "first (cchc backfill, cchc build)"
            ) from exc
        except psycopg.Error as exc:
            raise ReportError(
                f"reading the marts failed: {str(exc).strip().splitlines()[0]}"
            ) from exc
    data.findings = run_checks(data)
    return data


def write_report(
    *,
    year: int,
    out: Path,
    scope: str | None = None,
    period: str | None = None,
    convention: str = "nd09",
    url: str | None = None,
    pdf: bool | None = None,
) -> list[Path]:
    """Write the report files and return their paths.

    Without `period`: the annual appendix of `year` plus the year's period form and document
    table; with `period` (a label of marts.dim_reporting_period in `convention`): that period's
    form and document table. `scope`: an agency code or the province code (default: the
    province). `pdf`: True requires Chromium, False skips it, None makes it when Chromium is
    installed.
    """
    started = time.perf_counter()
    paths = output_paths(out)
    paths["xlsx"].parent.mkdir(parents=True, exist_ok=True)
    data = load_report(year=year, scope=scope, period=period, convention=convention, url=url)
    read_s = time.perf_counter() - started
    content = build_content(data)
    written = [write_xlsx(content, paths["xlsx"]), write_html(content, paths["html"])]
    if pdf is None:
        pdf = chromium.find_chromium() is not None
        if not pdf:
            log.warning("no PDF: chromium is not installed (Debian: `make chromium`)")
    if pdf:
        written.append(chromium.print_to_pdf(paths["html"], paths["pdf"]))
    log.info(
        "report %s %s (%s): %d error(s), %d warning(s); read %.2f s, total %.2f s",
        data.scope_code,
        data.period.label,
        data.period.convention,
        len(data.errors),
        len(data.warnings),
        read_s,
        time.perf_counter() - started,
    )
    for finding in data.findings:
        (log.error if finding.severity == "error" else log.warning)(
            "%s: %s", finding.where, finding.message
        )
    if data.errors:
        first = data.errors[0]
        raise ReportCheckError(
            f"{len(data.errors)} check(s) failed, first: {first.where}: {first.message}; "
            f"the files mark the errors: {', '.join(str(p) for p in written)}"
        )
    return written
