"""When things happen: weekly and seasonal rhythm, working hours, next working instant.

One-stop counters accept dossiers Monday to Friday and on Saturday mornings, hardly on Sundays;
volume dips over Tết and peaks before it and at year end. Online submissions come any day and
hour. Processing steps happen in working hours (7:30-11:30, 13:30-17:00) of working days.
"""

from __future__ import annotations

import random
from datetime import date

from cchc_warehouse.simulate.clock import DAY, HOUR, MINUTE, TET, WorkCalendar, weekday
from cchc_warehouse.simulate.world import Weighted, ri, rr

MORNING = (7 * HOUR + 30 * MINUTE, 11 * HOUR + 30 * MINUTE)
AFTERNOON = (13 * HOUR + 30 * MINUTE, 17 * HOUR)
OFFLINE_DOW = (1.15, 1.05, 1.0, 1.0, 0.92, 0.15, 0.02)
ONLINE_DOW = (1.0, 1.0, 1.0, 1.0, 0.95, 0.55, 0.45)
DOC_DOW = (1.05, 1.05, 1.0, 1.0, 1.0, 0.04, 0.01)
MONTH = (1.05, 0.85, 1.0, 0.98, 1.0, 1.02, 1.0, 0.98, 1.0, 1.02, 1.08, 1.18)
# online submission hour weights (0..23): evenings and lunch breaks too
ONLINE_HOURS = (
    0.3,
    0.15,
    0.1,
    0.1,
    0.15,
    0.4,
    1.0,
    2.2,
    3.2,
    3.4,
    3.2,
    2.6,
    1.8,
    2.0,
    3.0,
    3.2,
    3.0,
    2.6,
    2.0,
    2.1,
    2.3,
    1.9,
    1.2,
    0.6,
)

ONLINE_HOUR = Weighted(range(24), ONLINE_HOURS)


def season(o: int) -> float:
    d = date.fromordinal(o)
    f = MONTH[d.month - 1]
    for y in (d.year, d.year + 1):
        tet = TET.get(y)
        if tet is None:
            continue
        delta = o - tet.toordinal()
        if -21 <= delta <= -4:
            f *= 1.15  # the pre-Tết rush
        elif 5 <= delta <= 14:
            f *= 0.8  # slow restart after the holiday
    return f


class Rhythm:
    """Day factors (with per-year normalisers) and working-time helpers."""

    def __init__(self, cal: WorkCalendar) -> None:
        self.cal = cal
        self._norm: dict[tuple[str, int], float] = {}

    def factor(self, kind: str, o: int) -> float:
        wd = weekday(o)
        if kind == "offline":
            base = 0.01 if self.cal.is_holiday(o) else OFFLINE_DOW[wd]
        elif kind == "online":
            base = 0.4 if self.cal.is_holiday(o) else ONLINE_DOW[wd]
        else:  # documents
            base = 0.02 if self.cal.is_holiday(o) else DOC_DOW[wd]
            return base * (1.0 + (season(o) - 1.0) * 0.5)
        return base * season(o)

    def share(self, kind: str, o: int) -> float:
        """The day's share of its calendar year's volume."""
        y = date.fromordinal(o).year
        key = (kind, y)
        norm = self._norm.get(key)
        if norm is None:
            first = date(y, 1, 1).toordinal()
            last = date(y, 12, 31).toordinal()
            norm = self._norm[key] = sum(self.factor(kind, d) for d in range(first, last + 1))
        return self.factor(kind, o) / norm

    def counter_second(self, o: int, rng: random.Random) -> int:
        """A time the one-stop counter is open on day o (Saturday and Sunday: mornings)."""
        if weekday(o) >= 5 or self.cal.is_holiday(o):
            return MORNING[0] + rr(rng, MORNING[1] - MORNING[0])
        if rng.random() < 0.58:
            return MORNING[0] + rr(rng, MORNING[1] - MORNING[0])
        return AFTERNOON[0] + rr(rng, AFTERNOON[1] - AFTERNOON[0])

    def work_second(self, rng: random.Random) -> int:
        if rng.random() < 0.55:
            return MORNING[0] + rr(rng, MORNING[1] - MORNING[0])
        return AFTERNOON[0] + rr(rng, AFTERNOON[1] - AFTERNOON[0])

    def online_second(self, rng: random.Random) -> int:
        return ONLINE_HOUR.draw(rng) * HOUR + rr(rng, HOUR)

    def next_work(self, lt: int, rng: random.Random) -> int:
        """lt if it falls in working hours of a working day, else the next opening (+ jitter)."""
        o, s = divmod(lt, DAY)
        cal = self.cal
        if cal.is_working(o):
            if s < MORNING[0]:
                return o * DAY + MORNING[0] + rr(rng, 30 * MINUTE)
            if MORNING[1] <= s < AFTERNOON[0]:
                return o * DAY + AFTERNOON[0] + rr(rng, 30 * MINUTE)
            if s < AFTERNOON[1]:
                return lt
        nxt = cal.next_working(o + 1)
        return nxt * DAY + MORNING[0] + rr(rng, 45 * MINUTE)

    def at_work(self, o: int, rng: random.Random, after: int = 0) -> int:
        """A working-hours instant on working day o, strictly after `after` when that is o too."""
        t = o * DAY + self.work_second(rng)
        if t <= after:
            t = after + ri(rng, 5 * MINUTE, 90 * MINUTE)
            if t // DAY != o:
                t = after + 30
        return t
