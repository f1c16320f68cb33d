"""Local time for the simulator: integer local seconds, Vietnamese public holidays, working days.

All simulated instants are local (Asia/Ho_Chi_Minh, UTC+7, no DST) and held as one integer,
`lt = date.toordinal() * 86400 + seconds_of_day`, because millions of them are created, compared
and formatted in a province year and an int is the cheapest thing that does all three.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from functools import lru_cache

DAY = 86400
HOUR = 3600
MINUTE = 60

# Lunar new year's day (Tết Nguyên đán) and the Hùng Kings' day (10/3 lunar): both move with the
# lunar calendar, so they are listed rather than computed.
TET: dict[int, date] = {
    2014: date(2014, 1, 31), 2015: date(2015, 2, 19), 2016: date(2016, 2, 8),
    2017: date(2017, 1, 28), 2018: date(2018, 2, 16), 2019: date(2019, 2, 5),
    2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
    2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
    2026: date(2026, 2, 17), 2027: date(2027, 2, 6), 2028: date(2028, 1, 26),
    2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
    2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19),
    2035: date(2035, 2, 8), 2036: date(2036, 1, 28),
}  # fmt: skip
HUNG_KINGS: dict[int, date] = {
    2014: date(2014, 4, 9), 2015: date(2015, 4, 28), 2016: date(2016, 4, 16),
    2017: date(2017, 4, 6), 2018: date(2018, 4, 25), 2019: date(2019, 4, 14),
    2020: date(2020, 4, 2), 2021: date(2021, 4, 21), 2022: date(2022, 4, 10),
    2023: date(2023, 4, 29), 2024: date(2024, 4, 18), 2025: date(2025, 4, 7),
    2026: date(2026, 4, 26), 2027: date(2027, 4, 16), 2028: date(2028, 4, 4),
    2029: date(2029, 4, 23), 2030: date(2030, 4, 12), 2031: date(2031, 4, 1),
    2032: date(2032, 4, 19), 2033: date(2033, 4, 9), 2034: date(2034, 4, 28),
    2035: date(2035, 4, 17), 2036: date(2036, 4, 5),
}  # fmt: skip

FIRST_YEAR = 2014
LAST_YEAR = 2036


def lt_of(d: date, seconds: int = 0) -> int:
    return d.toordinal() * DAY + seconds


def ord_of(lt: int) -> int:
    return lt // DAY


def date_of(lt: int) -> date:
    return date.fromordinal(lt // DAY)


def to_datetime(lt: int) -> datetime:
    """Naive local datetime (for the xlsx writer)."""
    d = date.fromordinal(lt // DAY)
    return datetime(d.year, d.month, d.day) + timedelta(seconds=lt % DAY)


# formatting millions of timestamps: the date part is cached per day, the time part per second
_T_COMPACT = [f"{s // 3600:02d}{s // 60 % 60:02d}{s % 60:02d}" for s in range(DAY)]
_T_COLON = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY)]


@lru_cache(maxsize=16384)
def _days(ordinal: int) -> tuple[str, str, str]:
    """(yyyyMMdd, yyyy-MM-dd, dd/MM/yyyy) of a day."""
    d = date.fromordinal(ordinal)
    return (
        f"{d.year:04d}{d.month:02d}{d.day:02d}",
        d.isoformat(),
        f"{d.day:02d}/{d.month:02d}/{d.year:04d}",
    )


def fmt_compact(lt: int) -> str:
    """yyyyMMddHHmmss (the one-stop-shop's timestamp form)."""
    o, s = divmod(lt, DAY)
    return _days(o)[0] + _T_COMPACT[s]


def fmt_iso_space(lt: int) -> str:
    """yyyy-MM-dd HH:mm:ss (quatrinh.csv, thanhtoan.csv)."""
    o, s = divmod(lt, DAY)
    return f"{_days(o)[1]} {_T_COLON[s]}"


def fmt_iso_offset(lt: int, utc: bool = False) -> str:
    """ISO 8601 with an offset: local +07:00, or the same instant in UTC with `Z`."""
    if utc:
        o, s = divmod(lt - 7 * HOUR, DAY)
        return f"{_days(o)[1]}T{_T_COLON[s]}Z"
    o, s = divmod(lt, DAY)
    return f"{_days(o)[1]}T{_T_COLON[s]}+07:00"


def fmt_vn_datetime(lt: int, seconds: bool = False) -> str:
    """dd/MM/yyyy HH:mm[:ss] (the document-management system's form)."""
    o, s = divmod(lt, DAY)
    t = _T_COLON[s]
    return f"{_days(o)[2]} {t if seconds else t[:5]}"


def fmt_vn_date(ordinal: int) -> str:
    return _days(ordinal)[2]


def holidays(year: int) -> set[date]:
    """Official days off (Bộ luật Lao động 2019 counts; the Tết break as the usual seven days)."""
    out = {date(year, 1, 1), date(year, 4, 30), date(year, 5, 1), date(year, 9, 2)}
    if year >= 2021:
        out.add(date(year, 9, 3))  # the second National Day holiday, from 2021
    tet = TET.get(year)
    if tet:
        out.update(tet + timedelta(days=k) for k in range(-2, 5))
    hung = HUNG_KINGS.get(year)
    if hung:
        out.add(hung)
    return out


class WorkCalendar:
    """Working days (Monday-Friday, not a holiday) between 2014 and 2036, with O(1) arithmetic."""

    def __init__(self) -> None:
        first = date(FIRST_YEAR, 1, 1).toordinal()
        last = date(LAST_YEAR, 12, 31).toordinal()
        off: set[int] = set()
        for y in range(FIRST_YEAR, LAST_YEAR + 1):
            off.update(d.toordinal() for d in holidays(y))
        self.first = first
        self.last = last
        self.holiday = bytearray(last - first + 1)
        self.working: list[int] = []
        # cum[i] = number of working days <= first + i
        self.cum: list[int] = []
        n = 0
        for o in range(first, last + 1):
            is_off = o in off
            self.holiday[o - first] = 1 if is_off else 0
            if not is_off and (o % 7) not in (6, 0):  # ordinal % 7: 0 = Sunday, 6 = Saturday
                self.working.append(o)
                n += 1
            self.cum.append(n)

    def is_holiday(self, o: int) -> bool:
        return bool(self.holiday[o - self.first])

    def is_working(self, o: int) -> bool:
        return not self.holiday[o - self.first] and (o % 7) not in (6, 0)

    def add(self, o: int, n: int) -> int:
        """The n-th working day after day `o` (n = 0: `o` itself)."""
        if n <= 0:
            return o
        return self.working[self.cum[o - self.first] + n - 1]

    def next_working(self, o: int) -> int:
        """`o` if it is a working day, else the next one."""
        if self.is_working(o):
            return o
        return self.working[self.cum[o - self.first]]

    def between(self, a: int, b: int) -> int:
        """Working days in (a, b]."""
        return self.cum[b - self.first] - self.cum[a - self.first]

    def index_of_next(self, o: int) -> int:
        return bisect_right(self.working, o - 1)


def weekday(o: int) -> int:
    """Monday = 0 ... Sunday = 6 for a day ordinal."""
    return (o + 6) % 7
