"""The report's data as read from the marts (and, for provenance, from audit): plain dataclasses
that the checks and the xlsx/html writers share, so neither touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Period:
    """A row of marts.dim_reporting_period."""

    convention: str
    period_type: str
    label: str
    year: int
    start: date
    end: date


@dataclass(frozen=True)
class Agency:
    """The version of a dim_agency row in force at the period's end (or its nearest version)."""

    code: str
    name: str | None
    level: str | None
    parent_code: str | None

    @property
    def known(self) -> bool:
        return self.name is not None


@dataclass
class IndicatorRow:
    """One row of marts.rpt_cchc_indicators, with its kind and parent from ref_cchc_indicators."""

    code: str
    name_vi: str
    unit_vi: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    sort_order: int
    kind: str  # count | of_which | rate
    parent_code: str | None
    in_mart: bool = True  # False: an agency without this row (the readings: a missing row is 0)


@dataclass
class ResolutionRow:
    """One agency's row of marts.rpt_dossier_resolution (or a sum of rows)."""

    agency_code: str
    carried_over: int = 0
    received_online: int = 0
    received_in_person_or_post: int = 0
    received_by_post: int = 0
    received: int = 0
    total_to_handle: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    resolved: int = 0
    withdrawn_or_stopped: int = 0
    pending_within_deadline: int = 0
    pending_overdue: int = 0
    pending: int = 0
    not_accepted: int = 0
    on_time_rate: Decimal | None = None


@dataclass
class DocumentRow:
    """One agency's row of marts.rpt_document_exchange (or a sum of rows)."""

    agency_code: str
    outgoing: int = 0
    outgoing_electronic: int = 0
    outgoing_parallel: int = 0
    outgoing_paper: int = 0
    outgoing_signed: int = 0
    outgoing_via_axis: int = 0
    incoming: int = 0
    with_deadline: int = 0
    processed_on_time: int = 0
    processed_late: int = 0
    overdue_open: int = 0
    processing_on_time_rate: Decimal | None = None


def count_fields(row_type: type) -> tuple[str, ...]:
    """The integer count columns of a row type (every field but the key and the rate)."""
    return tuple(f.name for f in fields(row_type) if f.type in ("int", int))


RESOLUTION_COUNTS = count_fields(ResolutionRow)
DOCUMENT_COUNTS = count_fields(DocumentRow)


def resolution_rate(row: ResolutionRow) -> Decimal | None:
    """The contract's on-time rate: 100 x (early + on the day) / resolved; None when 0."""
    if not row.resolved:
        return None
    return Decimal(100) * (row.resolved_early + row.resolved_on_time) / row.resolved


def document_rate(row: DocumentRow) -> Decimal | None:
    """100 x on time / (on time + late), None when 0 (docs/contract-readings.md)."""
    judged = row.processed_on_time + row.processed_late
    return None if not judged else Decimal(100) * row.processed_on_time / judged


def sum_resolution(code: str, rows: list[ResolutionRow]) -> ResolutionRow:
    total = ResolutionRow(code, **{k: sum(getattr(r, k) for r in rows) for k in RESOLUTION_COUNTS})
    total.on_time_rate = resolution_rate(total)
    return total


def sum_documents(code: str, rows: list[DocumentRow]) -> DocumentRow:
    total = DocumentRow(code, **{k: sum(getattr(r, k) for r in rows) for k in DOCUMENT_COUNTS})
    total.processing_on_time_rate = document_rate(total)
    return total


@dataclass
class MonthPoint:
    """One month of a chart: its label and the series values."""

    label: str
    start: date
    end: date
    values: dict[str, int]


@dataclass
class SystemStatus:
    """Provenance of one source system for the report's period (from audit)."""

    system: str
    first_day: date | None  # first published export day
    last_day: date | None  # data as of: last published export day
    problem_days: list[tuple[date, str]] = field(default_factory=list)  # (day, status) in period
    rows_loaded: int = 0
    rows_quarantined: int = 0


@dataclass
class Provenance:
    systems: list[SystemStatus]
    built_at: datetime | None  # when the report marts were last built (dbt post-hook stamp)
    marts_as_of: date | None
    generated_at: datetime


@dataclass
class Finding:
    """The outcome of one failed check: an error (figures contradict each other: the report is
    marked and the command fails) or a warning (the data is incomplete: the report is marked)."""

    severity: str  # error | warning
    check: str
    where: str
    message: str


@dataclass
class ReportData:
    """Everything one report shows, read once."""

    year: int
    scope_code: str
    scope_level: str  # province | agency
    scope_name: str
    period: Period  # the period of the forms
    annual: bool  # with the appendix
    indicators: list[IndicatorRow]
    indicator_period: Period | None
    resolution: list[ResolutionRow]
    documents: list[DocumentRow]
    agencies: dict[str, Agency]
    resolution_months: list[MonthPoint]
    document_months: list[MonthPoint]
    # the nd09 year rows, to cross-check the appendix against the forms
    year_resolution: list[ResolutionRow]
    year_documents: list[DocumentRow]
    provenance: Provenance
    findings: list[Finding] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def incomplete(self) -> bool:
        return any(f.check == "completeness" for f in self.findings)
