"""Dossiers (hồ sơ) day by day: hoso.jsonl versions, quatrinh.csv steps, payments, ratings.

A dossier's whole life is planned when it is created (acceptance, processing, a supplement
request that pauses the clock and moves the due date, financial obligation, the end, the
return of the result) and then played event by event: each event is one new full version of
the dossier in the file of the day it happens (NgayCapNhat = the event time) and one
processing step. Only open dossiers are held in memory, as small slotted objects.
"""

from __future__ import annotations

import heapq
import random
from datetime import date

from cchc_warehouse.simulate import names
from cchc_warehouse.simulate.clock import (
    DAY,
    HOUR,
    MINUTE,
    WorkCalendar,
    fmt_compact,
    fmt_iso_space,
    to_datetime,
)
from cchc_warehouse.simulate.defects import StateDefects
from cchc_warehouse.simulate.rhythm import Rhythm
from cchc_warehouse.simulate.schema import Row
from cchc_warehouse.simulate.world import (
    Agency,
    Procedure,
    Weighted,
    World,
    poisson,
    ri,
    rng_for,
    rr,
)

P_POST = 0.025  # of dossiers of BCCI procedures, received by post
P_RETURN_POST = 0.05  # of dossiers of BCCI procedures, result returned by post
P_REJECT_ONLINE = 0.08
P_REJECT_OFFLINE = 0.003
P_WITHDRAW = 0.003
P_STOP = 0.002
P_SUPPLEMENT = 0.035
P_SUPPLEMENT_ABANDONED = 0.15
P_ON_THE_DAY = 0.22
P_NEVER_RETURNED = 0.03
P_PAY_ONLINE = (0.03, 0.45)  # offline, online dossiers of payable-online procedures
P_PAY_FAIL = 0.08
P_REFUND = 0.003
P_RATING = (0.03, 0.10)  # offline, online dossiers, after the result is returned
LATE_BASE = 0.0095
SAME_DAY_CUTOFF = 15 * HOUR
SURNAME = Weighted(names.SURNAMES, names.SURNAME_WEIGHTS)
PAY_CHANNEL = Weighted(("PAYGOV", "VNPTPAY", "NGANHANG"), (60, 25, 15))
RATING = Weighted(names.RATING_LEVELS, (62, 31, 5, 2))
DIGITISED = {2019: 0.05, 2020: 0.15, 2021: 0.35, 2022: 0.55, 2023: 0.7, 2024: 0.8}


def _pick(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]


class Dossier:
    __slots__ = (
        "serial",
        "ma",
        "proc",
        "proc_code",
        "agency_code",
        "field",
        "channel",
        "applicant",
        "name",
        "id_no",
        "phone",
        "t_sub",
        "t_acc",
        "t_due",
        "t_end",
        "t_ret",
        "ret_post",
        "status",
        "paid",
        "digitised",
        "step",
        "events",
        "next_i",
        "tags",
        "payment",
        "acc_lost",
        "resumed",
        "agency_i",
        "proc_i",
    )

    def __init__(self) -> None:
        self.t_acc = self.t_due = self.t_end = self.t_ret = None
        self.step = 0
        self.next_i = 0
        self.tags = None
        self.payment = None
        self.acc_lost = False
        self.resumed = False
        self.status = 0


class DossierSim:
    """Plays dossiers over the simulated days; `step(o)` returns the day's rows by file."""

    def __init__(
        self,
        world: World,
        cal: WorkCalendar,
        rhythm: Rhythm,
        seed: int,
        defects: StateDefects,
    ) -> None:
        self.world = world
        self.cal = cal
        self.rhythm = rhythm
        self.rng = rng_for(seed, "dossiers")
        self.people = rng_for(seed, "dossiers", "people")
        self.defects = defects
        self.future: dict[int, list] = {}
        self.seq = 0
        self.serials = 0
        self.pay_serials = 0
        self.rating_serials = 0
        self.counters: dict[tuple[str, int], int] = {}
        self.late_p: dict[str, float] = {}
        self.open = 0
        self.created = 0
        self.agency_idx = world.agency_codes
        self.proc_idx = world.proc_codes

    # ------------------------------------------------------------------ driver
    def step(self, o: int) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {
            "hoso.jsonl": [],
            "quatrinh.csv": [],
            "thanhtoan.csv": [],
            "danhgia.xlsx": [],
        }
        self._create(o)
        heap = self.future.pop(o, [])
        heapq.heapify(heap)
        while heap:
            _, _, kind, obj = heapq.heappop(heap)
            if kind == 0:
                self._play(obj, o, heap, out)
            elif kind == 1:
                out["thanhtoan.csv"].append(obj)
            else:
                out["danhgia.xlsx"].append(obj)
        if o % 7 == 0:
            self.counters = {k: v for k, v in self.counters.items() if k[1] >= o - 7}
        return out

    def _schedule(self, lt: int, kind: int, obj, o: int, heap: list | None) -> None:
        """Today's items go on the day's heap while it is played; later ones wait by day."""
        self.seq += 1
        item = (lt, self.seq, kind, obj)
        day = lt // DAY
        if heap is not None and day == o:
            heapq.heappush(heap, item)
        else:
            self.future.setdefault(day, []).append(item)

    # ---------------------------------------------------------------- creation
    def _create(self, o: int) -> None:
        off, on, q = self.world.pair_tables(o)
        y = self.world.spec.dossiers_per_year
        rng = self.rng
        n_off = poisson(rng, y * (1.0 - q) * self.rhythm.share("offline", o)) if off.cum else 0
        n_on = poisson(rng, y * q * self.rhythm.share("online", o)) if on.cum else 0
        for _ in range(n_off):
            agency, proc = off.draw(rng)
            self._new(o, agency, proc, online=False)
        for _ in range(n_on):
            agency, proc = on.draw(rng)
            self._new(o, agency, proc, online=True)

    def _new(self, o: int, agency: Agency, proc: Procedure, online: bool) -> None:
        rng = self.rng
        rh = self.rhythm
        state = proc.state_on(o)
        d = Dossier()
        d.serial = self.serials
        self.serials += 1
        self.created += 1
        d.proc = proc
        d.proc_code = proc.code
        d.field = proc.field_code
        d.agency_code = agency.code
        tags = []
        if self.defects.take("unknown_codes:agency", "onestop", o):
            d.agency_code = self.world.ghost_agencies[rr(rng, 3)]
            tags.append(
                ("unknown_codes", f"MaCoQuan {d.agency_code} is not in the directory", "flag")
            )
        if self.defects.take("unknown_codes:procedure", "onestop", o):
            d.proc_code = self.world.ghost_procedures[rr(rng, 4)]
            tags.append(("unknown_codes", f"MaTTHC {d.proc_code} is not in the catalogue", "flag"))
        d.tags = tags or None
        d.agency_i = self.agency_idx(d.agency_code)
        d.proc_i = self.proc_idx(d.proc_code)
        if online:
            d.channel = 2
            d.t_sub = o * DAY + rh.online_second(rng)
            t_acc = None
        else:
            d.channel = 3 if state.bcci and rng.random() < P_POST else 1
            t_acc = o * DAY + rh.counter_second(o, rng)
            if d.channel == 3:  # posted a day or three before it reached the counter
                d.t_sub = (o - ri(rng, 1, 3)) * DAY + rh.work_second(rng)
            else:
                d.t_sub = t_acc - ri(rng, 2 * MINUTE, 25 * MINUTE)
        d.ret_post = (
            d.channel == 3 and rng.random() < 0.8 or (state.bcci and rng.random() < P_RETURN_POST)
        )
        a = proc.applicant
        u = rng.random()
        d.applicant = a if u < 0.9 else (1 if a == 2 else 2) if u < 0.97 else 3
        self._person(d)
        year = date.fromordinal(o).year
        d.digitised = rng.random() < DIGITISED.get(year, 0.05 if year < 2019 else 0.85)
        d.paid = (
            proc.fee > 0 and state.pay_online and rng.random() < P_PAY_ONLINE[1 if online else 0]
        )
        sub_day = d.t_sub // DAY
        key = (d.agency_code, sub_day)
        n = self.counters.get(key, 0) + 1
        self.counters[key] = n
        sd = date.fromordinal(sub_day)
        d.ma = f"{d.agency_code}-{sd.year % 100:02d}{sd.month:02d}{sd.day:02d}-{n:04d}"
        d.events = self._plan(d, agency, proc, t_acc, rng)
        self.open += 1
        if d.paid:
            self._payment(d, rng, o)
        self._schedule(d.events[0][0], 0, d, o, None)

    def _person(self, d: Dossier) -> None:
        r = self.people
        if d.applicant == 2:
            d.name = f"{_pick(r, names.COMPANY_KIND)} {_pick(r, names.COMPANY_WORD)}"
        elif d.applicant == 3:
            d.name = f"{_pick(r, names.ORG_KIND)} {_pick(r, names.COMPANY_WORD)}"
        else:
            female = r.random() < 0.5
            surname = SURNAME.draw(r)
            middle = _pick(r, names.MIDDLE_F if female else names.MIDDLE_M)
            given = _pick(r, names.GIVEN_F if female else names.GIVEN_M)
            d.name = " ".join(x for x in (surname, middle, given) if x)
        d.id_no = f"094{rr(r, 4)}{rr(r, 40, 100):02d}{rr(r, 1_000_000):06d}"
        d.phone = f"{_pick(r, ('09', '08', '03', '07'))}{rr(r, 100_000_000):08d}"

    # ---------------------------------------------------------------- planning
    def _late_p(self, code: str) -> float:
        p = self.late_p.get(code)
        if p is None:
            x = rng_for(self.world.seed, "late", code).lognormvariate(0, 0.8)
            p = self.late_p[code] = min(0.15, LATE_BASE * x / 1.377)
        return p

    def _plan(
        self, d: Dossier, agency: Agency, proc: Procedure, t_acc: int | None, rng: random.Random
    ) -> list[tuple[int, int, int]]:
        """The dossier's events: (local time, status, payload). Payload: status 2 -> due time
        (-1: no deadline); status 4 after a supplement -> the moved due time."""
        cal, rh = self.cal, self.rhythm
        ev: list[tuple[int, int, int]] = []

        def push(t: int, status: int, x: int = 0) -> int:
            if ev and t <= ev[-1][0]:
                t = ev[-1][0] + ri(rng, 30, 600)
            ev.append((t, status, x))
            return t

        if d.channel == 2:
            push(d.t_sub, 1)
            t_acc = rh.next_work(d.t_sub + ri(rng, 20 * MINUTE, 26 * HOUR), rng)
            if rng.random() < P_REJECT_ONLINE:
                push(t_acc, 3)
                return ev
        elif rng.random() < P_REJECT_OFFLINE:
            push(t_acc, 3)
            return ev
        acc_o = t_acc // DAY
        n = proc.deadline
        if n is None:
            due_o, due_t = None, -1
        elif n == 0:
            # "trả trong ngày": accepted after 15:00 (or on a day off) -> the next working day
            late_in_day = t_acc % DAY >= SAME_DAY_CUTOFF or not cal.is_working(acc_o)
            due_o = cal.add(acc_o, 1) if late_in_day else acc_o
            due_t = due_o * DAY + 16 * HOUR + 30 * MINUTE
        else:
            due_o = cal.add(acc_o, n)
            due_t = due_o * DAY + t_acc % DAY
        t = push(t_acc, 2, due_t)
        t = push(rh.next_work(t + ri(rng, 5 * MINUTE, 90 * MINUTE), rng), 4)
        u = rng.random()
        if u < P_WITHDRAW + P_STOP:
            gone = cal.add(t // DAY, ri(rng, 0, max(1, n or 5)))
            push(rh.at_work(gone, rng, t), 7 if u < P_WITHDRAW else 8)
            return ev
        if n is not None and n >= 2 and rng.random() < P_SUPPLEMENT:
            s_o = cal.add(acc_o, ri(rng, 1, max(1, n - 1)))
            t = push(rh.at_work(s_o, rng, t), 5)
            if rng.random() < P_SUPPLEMENT_ABANDONED:
                gone = cal.add(s_o, ri(rng, 10, 30))
                push(rh.at_work(gone, rng, t), 8 if rng.random() < 0.7 else 7)
                return ev
            pause = ri(rng, 1, 8)
            r_o = cal.add(s_o, pause)
            due_o = cal.add(due_o, pause)
            due_t = due_o * DAY + due_t % DAY
            t = push(rh.at_work(r_o, rng, t), 4, due_t)
        last_o = t // DAY
        if due_o is None:
            end_o = cal.add(last_o, ri(rng, 0, 10))
        elif rng.random() < self._late_p(agency.code):
            end_o = cal.add(max(due_o, last_o), ri(rng, 1, 8))
        elif rng.random() < P_ON_THE_DAY or due_o <= last_o:
            end_o = max(due_o, last_o)
        else:
            room = cal.between(last_o, due_o) - 1  # working days strictly before the due day
            end_o = cal.add(last_o, int(max(0, room) * rng.random() ** 1.6))
        if proc.fee > 0 and proc.field_name == "Đất đai" and rng.random() < 0.5:
            # awaiting the land levy: the working day before the end (or the same day)
            f_o = last_o if end_o <= last_o else cal.add(last_o, cal.between(last_o, end_o) - 1)
            t = push(rh.at_work(f_o, rng, t), 6)
        t = push(rh.at_work(max(end_o, t // DAY), rng, t), 9)
        if rng.random() < P_NEVER_RETURNED:
            return ev
        if d.ret_post:
            ret_o = cal.add(t // DAY, ri(rng, 1, 3))
        else:
            v = rng.random()
            ret_o = (
                t // DAY
                if v < 0.55
                else cal.add(t // DAY, ri(rng, 1, 7) if v < 0.95 else ri(rng, 8, 40))
            )
        push(rh.at_work(ret_o, rng, t), 10)
        return ev

    def _payment(self, d: Dossier, rng: random.Random, o: int) -> None:
        base = d.t_sub if d.channel == 2 else d.events[0][0]
        t_pay = base + ri(rng, 60, 600 if d.channel == 2 else 3600)
        kenh = PAY_CHANNEL.draw(rng)
        if rng.random() < P_PAY_FAIL:
            t_fail = max(o * DAY, t_pay - ri(rng, 120, 600))
            self._pay_row(d, t_fail, d.proc.fee, kenh, "THAT_BAI", o)
        serial, gd = self._pay_row(d, t_pay, d.proc.fee, kenh, "THANH_CONG", o)
        d.payment = (serial, gd, d.proc.fee, kenh)
        if rng.random() < P_REFUND:
            self._refund(d, t_pay + ri(rng, 2, 20) * DAY, o)

    def _pay_row(
        self, d: Dossier, t: int, amount: int, kenh: str, status: str, o: int, serial=None, gd=None
    ) -> tuple[int, str]:
        if serial is None:
            serial = self.pay_serials
            self.pay_serials += 1
            dd = date.fromordinal(t // DAY)
            gd = f"GD{dd.year % 100:02d}{dd.month:02d}{dd.day:02d}{serial:08d}"
        row = Row([gd, d.ma, str(amount), kenh, status, fmt_iso_space(t)], (serial,))
        self._schedule(t, 1, row, o, None)
        return serial, gd

    def _refund(self, d: Dossier, t: int, o: int) -> None:
        if d.payment is None:
            return
        serial, gd, amount, kenh = d.payment
        self._pay_row(d, t, amount, kenh, "HOAN_TIEN", o, serial=serial, gd=gd)
        d.payment = None

    # ----------------------------------------------------------------- playing
    def _play(self, d: Dossier, o: int, heap: list, out: dict[str, list[Row]]) -> None:
        lt, status, x = d.events[d.next_i]
        d.next_i += 1
        d.status = status
        rng = self.rng
        if status == 2:
            d.t_acc = lt
            d.t_due = x if x >= 0 else None
            if self.defects.take("null_dates:lost_acceptance", "onestop", o):
                d.acc_lost = True
                self._tag(d, ("null_dates", "accepted dossier with an empty NgayTiepNhan", "flag"))
        elif status == 4 and x > 0:
            d.t_due = x
            d.resumed = True
        elif status in (7, 8, 9):
            d.t_end = lt
            if d.t_acc is not None and self.defects.take(
                "clock_errors:end_before_accept", "onestop", o
            ):
                d.t_end = d.t_acc - ri(rng, 1, 3) * DAY
                self._tag(d, ("clock_errors", "NgayKetThucXuLy before NgayTiepNhan", "flag"))
        elif status == 10:
            d.t_ret = lt
            if self.defects.take("clock_errors:future", "onestop", o):
                d.t_ret = lt + 365 * DAY
                self._tag(d, ("clock_errors", "NgayTra a year in the future", "flag"))
        d.step += 1
        out["hoso.jsonl"].append(self._version(d, lt))
        out["quatrinh.csv"].append(
            Row(
                [
                    d.ma,
                    str(d.step),
                    str(status),
                    fmt_iso_space(lt),
                    d.agency_code,
                    self._note(d, status),
                ]
            )
        )
        if status == 10 and rng.random() < P_RATING[1 if d.channel == 2 else 0]:
            self._rating(d, lt, o, heap)
        if status in (3, 7, 8) and d.payment is not None:
            self._refund(d, lt + ri(rng, 1, 5) * DAY, o)
        if d.next_i < len(d.events):
            self._schedule(d.events[d.next_i][0], 0, d, o, heap)
        else:
            self.open -= 1

    def _tag(self, d: Dossier, tag: tuple[str, str, str]) -> None:
        d.tags = [*(d.tags or []), tag]

    @staticmethod
    def _note(d: Dossier, status: int) -> str:
        if status == 4 and d.resumed and d.step > 3:
            return "Tiếp tục xử lý sau khi công dân bổ sung hồ sơ"
        if status == 2 and d.channel == 3:
            return "Tiếp nhận hồ sơ qua dịch vụ bưu chính công ích"
        return names.STEP_NOTES[status]

    def _version(self, d: Dossier, lt: int) -> Row:
        acc = None if d.acc_lost else d.t_acc
        values = [
            d.ma,
            d.proc_code,
            d.field,
            d.agency_code,
            str(d.channel),
            str(d.applicant),
            d.name,
            d.id_no,
            d.phone,
            fmt_compact(d.t_sub),
            fmt_compact(acc) if acc is not None else "",
            fmt_compact(d.t_due) if d.t_due is not None else "",
            fmt_compact(d.t_end) if d.t_end is not None else "",
            fmt_compact(d.t_ret) if d.t_ret is not None else "",
            "1" if d.ret_post else "0",
            str(d.status),
            "1" if d.paid else "0",
            str(d.proc.fee),
            "1" if d.digitised else "0",
            fmt_compact(lt),
        ]
        hook = (
            d.serial,
            lt,
            d.agency_i,
            d.proc_i,
            d.channel,
            d.status,
            d.t_sub // DAY,
            acc // DAY if acc is not None else 0,
            d.t_due // DAY if d.t_due is not None else 0,
            d.t_end // DAY if d.t_end is not None else 0,
            d.t_ret // DAY if d.t_ret is not None else 0,
            1 if d.ret_post else 0,
        )
        return Row(values, hook, list(d.tags) if d.tags else None)

    def _rating(self, d: Dossier, lt: int, o: int, heap: list) -> None:
        rng = self.rng
        day = lt // DAY + ri(rng, 0, 3)
        t = day * DAY + 7 * HOUR + rr(rng, 14 * HOUR)
        if t <= lt:
            t = lt + ri(rng, 5 * MINUTE, 60 * MINUTE)
        level = RATING.draw(rng)
        channel = names.RATING_CHANNELS[0] if d.channel == 2 else _pick(rng, names.RATING_CHANNELS)
        serial = self.rating_serials
        self.rating_serials += 1
        row = Row(
            [d.ma, channel, level, to_datetime(t)],
            (serial, d.serial, t // DAY, 1 if level in names.RATING_LEVELS[:2] else 0),
        )
        self._schedule(t, 2, row, o, heap)
