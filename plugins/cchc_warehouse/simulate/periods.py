"""Reporting periods for the ground truth: Nghị định 09/2019 cut-off periods and calendar ones.

Written independently of the warehouse's `dim_reporting_period` (the end-to-end tests compare the
two). nd09: month M = 15th of M-1 .. 14th of M, quarters and the year likewise, one half-year
(H1 = 15/12 .. 14/6) and nine months (15/12 .. 14/9); calendar: plain spans with H1 and H2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

CONVENTIONS = ("nd09", "calendar")
PERIOD_TYPES = ("month", "quarter", "half_year", "nine_months", "year")


@dataclass(frozen=True, order=True)
class Period:
    convention: str
    period_type: str
    label: str
    start: date
    end: date  # inclusive

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def _month_end(y: int, m: int) -> date:
    nxt = date(y + (m == 12), m % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _nd09_start(y: int, m: int) -> date:
    """The 15th of the month before month m of year y."""
    return date(y - 1, 12, 15) if m == 1 else date(y, m - 1, 15)


def periods_of_year(convention: str, y: int) -> list[Period]:
    """Every period of one year (by label year) in one convention."""
    out: list[Period] = []
    if convention == "nd09":
        for m in range(1, 13):
            out.append(Period("nd09", "month", f"{y}-{m:02d}", _nd09_start(y, m), date(y, m, 14)))
        for q in range(1, 5):
            first, last = 3 * q - 2, 3 * q
            out.append(
                Period("nd09", "quarter", f"{y}-Q{q}", _nd09_start(y, first), date(y, last, 14))
            )
        out.append(Period("nd09", "half_year", f"{y}-H1", date(y - 1, 12, 15), date(y, 6, 14)))
        out.append(Period("nd09", "nine_months", f"{y}-9M", date(y - 1, 12, 15), date(y, 9, 14)))
        out.append(Period("nd09", "year", f"{y}", date(y - 1, 12, 15), date(y, 12, 14)))
    elif convention == "calendar":
        for m in range(1, 13):
            out.append(Period("calendar", "month", f"{y}-{m:02d}", date(y, m, 1), _month_end(y, m)))
        for q in range(1, 5):
            first, last = 3 * q - 2, 3 * q
            out.append(
                Period("calendar", "quarter", f"{y}-Q{q}", date(y, first, 1), _month_end(y, last))
            )
        out.append(Period("calendar", "half_year", f"{y}-H1", date(y, 1, 1), date(y, 6, 30)))
        out.append(Period("calendar", "half_year", f"{y}-H2", date(y, 7, 1), date(y, 12, 31)))
        out.append(Period("calendar", "nine_months", f"{y}-9M", date(y, 1, 1), date(y, 9, 30)))
        out.append(Period("calendar", "year", f"{y}", date(y, 1, 1), date(y, 12, 31)))
    else:
        raise ValueError(f"unknown period convention {convention!r}")
    return out


def periods_overlapping(first: date, last: date, as_of: date) -> list[Period]:
    """Periods of both conventions that overlap [first, last] and start on or before as_of."""
    out = []
    for y in range(first.year - 1, max(last.year, as_of.year) + 2):
        for conv in CONVENTIONS:
            for p in periods_of_year(conv, y):
                if p.start <= as_of and p.end >= first and p.start <= last:
                    out.append(p)
    return sorted(out, key=lambda p: (p.convention, p.period_type, p.label))


def nd09_year_of(d: date) -> int:
    """The nd09 year a date belongs to (15/12/Y-1 .. 14/12/Y is year Y)."""
    return d.year + 1 if (d.month == 12 and d.day >= 15) else d.year


def nd09_year(y: int) -> Period:
    return Period("nd09", "year", f"{y}", date(y - 1, 12, 15), date(y, 12, 14))
