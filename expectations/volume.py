"""Day-over-day volume: which earlier days a day is compared with, and the bounds that follows.

Offices work Monday to Friday (many one-stop counters on Saturday morning too) and close on
Sundays and public holidays, so a Monday compared with the Sunday before would always "drift".
A day is compared with the median of up to REFERENCE_DAYS earlier published days *of the same
kind* (working day, Saturday, Sunday or holiday) within REFERENCE_WINDOW days; with no such day,
or a median under MIN_REFERENCE_ROWS (too small to say anything), there is no bound. The check
is a warning: a holiday this calendar does not know costs one warning, never a rejected batch.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from statistics import median

REFERENCE_DAYS = 5
REFERENCE_WINDOW = 35
MIN_REFERENCE_ROWS = 20

#: fixed-date public holidays (Labour Code 2019, art. 112): New Year, Reunification, Labour,
#: National Day
FIXED_HOLIDAYS: tuple[tuple[int, int], ...] = ((1, 1), (4, 30), (5, 1), (9, 2))
#: first day of the lunar year (Tết Nguyên Đán); the Tết break runs from TET_BEFORE days before
#: to TET_AFTER days after it, wide enough to cover the days offices actually close
TET: dict[int, date] = {
    2015: date(2015, 2, 19),
    2016: date(2016, 2, 8),
    2017: date(2017, 1, 28),
    2018: date(2018, 2, 16),
    2019: date(2019, 2, 5),
    2020: date(2020, 1, 25),
    2021: date(2021, 2, 12),
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}
TET_BEFORE = 3
TET_AFTER = 5

WORKING_DAY = "working day"
SATURDAY = "Saturday"
REST_DAY = "Sunday or holiday"


def is_holiday(day: date) -> bool:
    """A public holiday: a fixed date or the Tết break (years outside TET: fixed dates only)."""
    if (day.month, day.day) in FIXED_HOLIDAYS:
        return True
    # the break can start in the last days of the previous calendar year
    for first in (TET.get(day.year), TET.get(day.year + 1)):
        if first and -TET_BEFORE <= (day - first).days <= TET_AFTER:
            return True
    return False


def day_kind(day: date) -> str:
    """working day / Saturday / Sunday or holiday."""
    if day.weekday() == 6 or is_holiday(day):
        return REST_DAY
    if day.weekday() == 5:
        return SATURDAY
    return WORKING_DAY


def reference_rows(
    day: date, history: Iterable[tuple[date, int]]
) -> tuple[float, list[date]] | None:
    """Median row count of the latest same-kind days before `day` (and which days they were).

    `history` holds (export day, rows) of earlier published batches, in any order; days after
    `day` or outside the window are ignored. None when no day qualifies.
    """
    kind = day_kind(day)
    earliest = day - timedelta(days=REFERENCE_WINDOW)
    same_kind = sorted(
        ((d, rows) for d, rows in history if earliest <= d < day and day_kind(d) == kind),
        reverse=True,
    )[:REFERENCE_DAYS]
    if not same_kind:
        return None
    return float(median(rows for _, rows in same_kind)), [d for d, _ in same_kind]


def bounds(reference: float | None, band: tuple[float, float]) -> tuple[int, int | None]:
    """(min, max) rows allowed for a day whose reference median is `reference`.

    (0, None) means "no bound": no reference, or one too small for a ratio to mean anything.
    """
    if reference is None or reference < MIN_REFERENCE_ROWS:
        return 0, None
    low, high = band
    return math.floor(reference * low), math.ceil(reference * high)
