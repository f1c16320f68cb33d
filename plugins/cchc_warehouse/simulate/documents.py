"""Official documents (văn bản) day by day: registers, recipients and exchange statuses.

An outgoing document is a `DI` row in the sender's register and one `noinhan.csv` row per
recipient; every recipient inside the province registers it as a `DEN` row when it arrives
(minutes later if electronic, days later if on paper) and reports statuses over the following
days (01 arrived, 03 received, 04 assigned, 05 processing, 06 completed; sometimes 02 refused,
now and then followed by a later 03). Documents from outside the province arrive as `DEN` rows
only. A row is exported again when it changes (a corrected subject, an extended deadline, a
recipient closing its file).
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
    fmt_iso_offset,
    fmt_vn_date,
    fmt_vn_datetime,
)
from cchc_warehouse.simulate.defects import StateDefects
from cchc_warehouse.simulate.rhythm import Rhythm
from cchc_warehouse.simulate.schema import Row
from cchc_warehouse.simulate.world import Agency, Weighted, World, poisson, ri, rng_for, rr

FORMS = ("DIEN_TU", "SONG_SONG", "GIAY")
FORM_MIX = {
    2019: (0.45, 0.15, 0.40),
    2020: (0.58, 0.13, 0.29),
    2021: (0.676, 0.113, 0.211),  # Sóc Trăng 2021: 169.950 / 28.509 / 52.952
    2022: (0.75, 0.10, 0.15),
    2023: (0.85, 0.08, 0.07),
    2024: (0.90, 0.06, 0.04),
}
SIGNED = (1.0, 0.5, 0.02)  # P(digitally signed) by form: ~73% overall in 2021
N_RECIPIENTS = (1, 2, 3, 4, 5, 8, 12, 20, 40)
N_WEIGHTS = (40, 18, 12, 8, 6, 6, 5, 3, 2)
P_DEADLINE = {
    "CV": 0.3,
    "TB": 0.15,
    "KH": 0.2,
    "CT": 0.3,
    "HD": 0.1,
    "QD": 0.1,
    "BC": 0.05,
    "GM": 0.0,
    "TTr": 0.2,
}
P_REFUSED = 0.01
P_REFUSED_THEN_RECEIVED = 0.4
P_ACTED = 0.5  # documents without a deadline that are assigned and processed
P_ON_TIME, P_LATE = 0.88, 0.08  # deadline documents; the rest stay open
P_EXTEND = 0.04
P_REEXPORT_DONE = 0.3
P_DI_CORRECTED = 0.02
P_UTC = 0.03  # statuses whose ThoiDiem is written in UTC (Z): the same instant
RECIPIENT_MIX = {
    "XA": (("parent", 0.6), ("siblings", 0.15), ("so", 0.15), ("tinh", 0.05), ("ext", 0.05)),
    "HUYEN": (("children", 0.45), ("so", 0.2), ("tinh", 0.2), ("huyen", 0.1), ("ext", 0.05)),
    "SO": (("tinh", 0.3), ("so", 0.3), ("huyen", 0.2), ("xa", 0.08), ("ext", 0.12)),
    "TINH": (("so", 0.45), ("huyen", 0.3), ("xa", 0.1), ("ext", 0.15)),
}
DOC_TYPE = Weighted(names.DOC_TYPES, names.DOC_TYPE_WEIGHTS)
N_DRAW = Weighted(N_RECIPIENTS, N_WEIGHTS)
FORM_DRAW = {y: Weighted(range(3), mix) for y, mix in FORM_MIX.items()}
MIX_DRAW = {
    cap: Weighted([c for c, _ in mix], [w for _, w in mix]) for cap, mix in RECIPIENT_MIX.items()
}
EXT_ABBR = (
    "VPCP",
    "BNV",
    "BTC",
    "BKHĐT",
    "BTTTT",
    "BTNMT",
    "BNNPTNT",
    "BYT",
    "BGDĐT",
    "BCA",
    "BQP",
    "BTP",
    "BCT",
    "BXD",
    "BGTVT",
)


class Doc:
    __slots__ = (
        "ma",
        "so",
        "loai",
        "trich",
        "sender",
        "ngay_vb",
        "t_send",
        "form",
        "signed",
        "axis",
        "serial",
        "tags",
    )


class DenRow:
    __slots__ = ("serial", "doc", "agency", "t_arr", "deadline")


class DocumentSim:
    """Plays documents over the simulated days; `step(o)` returns the day's rows by file."""

    def __init__(
        self, world: World, cal: WorkCalendar, rhythm: Rhythm, seed: int, defects: StateDefects
    ) -> None:
        self.world = world
        self.cal = cal
        self.rhythm = rhythm
        self.rng = rng_for(seed, "documents")
        self.defects = defects
        self.future: dict[int, list] = {}
        self.seq = 0
        self.row_serials = 0
        self.exchange_serials = 0
        self.status_serials = 0
        self.ids: dict[tuple[str, int], int] = {}
        self.numbers: dict[tuple[str, int], int] = {}
        self._pools_key: int | None = None
        self._pools: dict = {}
        self.agency_idx = world.agency_codes

    # ------------------------------------------------------------------ driver
    def step(self, o: int) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {"vanban.csv": [], "noinhan.csv": [], "trangthai.xml": []}
        self._create(o)
        heap = self.future.pop(o, [])
        heapq.heapify(heap)
        while heap:
            lt, _, kind, obj = heapq.heappop(heap)
            if kind == 0:
                self._send(obj, lt, o, heap, out)
            elif kind == 1:
                self._arrive(obj[0], obj[1], lt, o, heap, out)
            elif kind == 2:
                out["trangthai.xml"].append(self._status_row(lt, obj))
            elif kind == 3:
                den, deadline = obj
                if deadline:
                    den.deadline = deadline
                out["vanban.csv"].append(self._den_row(den, lt))
            else:
                obj.trich = obj.trich + " (điều chỉnh trích yếu)"
                out["vanban.csv"].append(self._di_row(obj, lt))
        if o % 7 == 0:
            self.ids = {k: v for k, v in self.ids.items() if k[1] >= o - 7}
        return out

    def _schedule(self, lt: int, kind: int, obj, o: int, heap: list | None) -> None:
        self.seq += 1
        item = (lt, self.seq, kind, obj)
        day = lt // DAY
        if heap is not None and day == o:
            heapq.heappush(heap, item)
        else:
            self.future.setdefault(day, []).append(item)

    # ---------------------------------------------------------------- creation
    def _create(self, o: int) -> None:
        rng, rh = self.rng, self.rhythm
        share = rh.share("documents", o)
        for a in self.world.in_force(o):
            n = poisson(rng, a.doc_rate * share)
            for _ in range(n):
                self._new_doc(a, o * DAY + rh.counter_second(o, rng), o)
            n_ext = poisson(rng, a.ext_rate * share)
            for _ in range(n_ext):
                self._external(a, o * DAY + rh.counter_second(o, rng), o)

    def _doc_id(self, sender: str, o: int) -> str:
        key = (sender, o)
        n = self.ids.get(key, 0) + 1
        self.ids[key] = n
        d = date.fromordinal(o)
        return f"VB-{sender}-{d.year % 100:02d}{d.month:02d}{d.day:02d}-{n:04d}"

    def _number(self, code: str, abbrev: str, loai: str, o: int) -> str:
        key = (code, date.fromordinal(o).year)
        n = self.numbers.get(key, 0) + 1
        self.numbers[key] = n
        return f"{n}/{abbrev}-VP" if loai == "CV" else f"{n}/{loai}-{abbrev}"

    def _subject(self, loai: str, o: int, rng: random.Random) -> str:
        d = date.fromordinal(o)
        verb = names.SUBJECT_VERB[loai][rr(rng, len(names.SUBJECT_VERB[loai]))]
        topic = names.SUBJECT_TOPIC[rr(rng, len(names.SUBJECT_TOPIC))]
        topic = topic.format(y=d.year, q=(d.month - 1) // 3 + 1, m=d.month)
        return f"{verb} {topic}"

    def _form(self, o: int, rng: random.Random) -> int:
        y = date.fromordinal(o).year
        return FORM_DRAW[min(max(y, 2019), 2024)].draw(rng)

    def _new_doc(self, a: Agency, t: int, o: int) -> None:
        rng = self.rng
        doc = Doc()
        doc.tags = None
        doc.sender = a.code
        if self.defects.take("unknown_codes:document", "docmgmt", o):
            doc.sender = self.world.ghost_agencies[rr(rng, 3)]
            doc.tags = [
                ("unknown_codes", f"ma_co_quan {doc.sender} is not in the directory", "flag")
            ]
        doc.loai = DOC_TYPE.draw(rng)
        doc.ma = self._doc_id(doc.sender, o)
        doc.so = self._number(doc.sender, a.abbrev, doc.loai, o)
        doc.trich = self._subject(doc.loai, o, rng)
        doc.ngay_vb = o - (ri(rng, 1, 3) if rng.random() < 0.3 else 0)
        doc.t_send = t
        doc.form = self._form(o, rng)
        doc.signed = rng.random() < SIGNED[doc.form]
        doc.axis = False
        doc.serial = -1
        recipients = self._recipients(a, o, rng)
        doc.axis = doc.form != 2 and any(not self._in_province(c) for c in recipients)
        self._schedule(t, 0, (doc, recipients), o, None)

    def _external(self, a: Agency, t: int, o: int) -> None:
        rng = self.rng
        ext = self.world.external_codes
        sender = ext[rr(rng, len(ext))]
        doc = Doc()
        doc.tags = None
        doc.sender = sender
        doc.loai = DOC_TYPE.draw(rng)
        doc.ma = self._doc_id(sender, o)
        abbr = EXT_ABBR[int(sender[-2:]) % len(EXT_ABBR)] if ".G" in sender else "UBND"
        doc.so = self._number(sender, abbr, doc.loai, o)
        doc.trich = self._subject(doc.loai, o, rng)
        doc.ngay_vb = o - ri(rng, 0, 4)
        doc.t_send = t - ri(rng, 5 * MINUTE, 20 * HOUR)
        doc.form = self._form(o, rng)
        doc.signed = rng.random() < SIGNED[doc.form]
        doc.axis = doc.form != 2
        doc.serial = -1
        self._schedule(t, 1, (doc, a.code), o, None)

    # --------------------------------------------------------------- recipients
    def _in_province(self, code: str) -> bool:
        return code in self.world.by_code

    def _pool(self, o: int) -> dict:
        v = self.world.directory_version(o)
        if v != self._pools_key:
            w = self.world
            communes = w.communes(o)
            self._pools = {
                "so": [a.code for a in w.departments(o)],
                "tinh": [a.code for a in w.province_agencies(o)],
                "huyen": [a.code for a in w.districts(o)],
                "xa": [a.code for a in communes],
                "ext": list(w.external_codes),
                "by_parent": {},
            }
            for a in communes:
                self._pools["by_parent"].setdefault(a.parent_on(o), []).append(a.code)
            self._pools_key = v
        return self._pools

    def _recipients(self, a: Agency, o: int, rng: random.Random) -> list[str]:
        pools = self._pool(o)
        parent = a.parent_on(o)
        cands = {
            "parent": [parent] if parent else [],
            "siblings": [c for c in pools["by_parent"].get(parent, ()) if c != a.code],
            "children": pools["by_parent"].get(a.code, []),
            "so": [c for c in pools["so"] if c != a.code],
            "tinh": [c for c in pools["tinh"] if c != a.code],
            "huyen": [c for c in pools["huyen"] if c != a.code],
            "xa": pools["xa"],
            "ext": pools["ext"],
        }
        draw = MIX_DRAW[a.cap]
        if not any(cands[c] for c in draw.items):
            return [pools["ext"][0]]
        n = N_DRAW.draw(rng)
        out: list[str] = []
        seen: set[str] = set()
        for _ in range(n * 4):
            if len(out) >= n:
                break
            pool = cands[draw.draw(rng)]
            if not pool:
                continue
            code = pool[int(rng.random() * len(pool))]
            if code not in seen:
                seen.add(code)
                out.append(code)
        return out

    # ----------------------------------------------------------------- playing
    def _send(self, item, lt: int, o: int, heap: list, out: dict) -> None:
        doc, recipients = item
        rng, cal, rh = self.rng, self.cal, self.rhythm
        doc.serial = self.row_serials
        self.row_serials += 1
        out["vanban.csv"].append(self._di_row(doc, lt))
        for k, code in enumerate(recipients, start=1):
            out["noinhan.csv"].append(Row([doc.ma, code, str(k)], (self.exchange_serials,)))
            self.exchange_serials += 1
            if self._in_province(code):
                if doc.form == 2:
                    arr = rh.at_work(cal.add(lt // DAY, ri(rng, 1, 3)), rng, lt)
                else:
                    arr = lt + ri(rng, 1 * MINUTE, 30 * MINUTE)
                self._schedule(arr, 1, (doc, code), o, heap)
            elif doc.axis:
                t = lt + ri(rng, 2 * MINUTE, 60 * MINUTE)
                self._status(doc.ma, code, "01", t, -1, o, heap)
                if rng.random() < 0.7:
                    t = rh.next_work(t + ri(rng, 1 * HOUR, 24 * HOUR), rng)
                    self._status(doc.ma, code, "03", t, -1, o, heap)
        if rng.random() < P_DI_CORRECTED:
            self._schedule(rh.at_work(cal.add(lt // DAY, ri(rng, 1, 2)), rng, lt), 4, doc, o, heap)

    def _arrive(self, doc: Doc, code: str, lt: int, o: int, heap: list, out: dict) -> None:
        rng, cal, rh = self.rng, self.cal, self.rhythm
        den = DenRow()
        den.serial = self.row_serials
        self.row_serials += 1
        den.doc = doc
        den.agency = code
        den.t_arr = lt
        den.deadline = 0
        arr_o = lt // DAY
        final = 0
        if rng.random() < P_DEADLINE[doc.loai]:
            den.deadline = final = arr_o + ri(rng, 3, 20)
            if rng.random() < P_EXTEND:
                final = den.deadline + ri(rng, 5, 10)
                when = cal.add(arr_o, ri(rng, 1, max(1, cal.between(arr_o, den.deadline) - 1)))
                self._schedule(rh.at_work(when, rng, lt), 3, (den, final), o, heap)
        out["vanban.csv"].append(self._den_row(den, lt))
        # the recipient's statuses
        electronic = doc.form != 2
        t = lt
        if electronic:
            self._status(doc.ma, code, "01", t, den.serial, o, heap)
        if rng.random() < P_REFUSED:
            t = rh.next_work(t + ri(rng, 10 * MINUTE, 4 * HOUR), rng)
            self._status(doc.ma, code, "02", t, den.serial, o, heap)
            if rng.random() >= P_REFUSED_THEN_RECEIVED:
                return
            t = rh.at_work(cal.add(t // DAY, ri(rng, 1, 3)), rng, t)
        else:
            t = rh.next_work(t + ri(rng, 5 * MINUTE, 8 * HOUR), rng)
        self._status(doc.ma, code, "03", t, den.serial, o, heap)
        if not final and rng.random() >= P_ACTED:
            if rng.random() < 0.4:
                t = rh.next_work(t + ri(rng, 1 * HOUR, 72 * HOUR), rng)
                self._status(doc.ma, code, "06", t, den.serial, o, heap)
            return
        t = rh.next_work(t + ri(rng, 10 * MINUTE, 24 * HOUR), rng)
        self._status(doc.ma, code, "04", t, den.serial, o, heap)
        t = rh.next_work(t + ri(rng, 1 * HOUR, 48 * HOUR), rng)
        self._status(doc.ma, code, "05", t, den.serial, o, heap)
        t_o = t // DAY
        if final:
            v = rng.random()
            if v < P_ON_TIME:
                room = cal.between(t_o, final) if final > t_o else 0
                done_o = cal.add(t_o, ri(rng, 0, room)) if room > 0 else t_o
                done_o = min(done_o, max(final, t_o))
            elif v < P_ON_TIME + P_LATE:
                done_o = cal.add(max(final, t_o), ri(rng, 1, 10))
            else:
                return
        elif rng.random() < 0.8:
            done_o = cal.add(t_o, ri(rng, 0, 15))
        else:
            return
        t = rh.at_work(done_o, rng, t)
        self._status(doc.ma, code, "06", t, den.serial, o, heap)
        if rng.random() < P_REEXPORT_DONE:
            self._schedule(t + ri(rng, 1, 300), 3, (den, 0), o, heap)

    def _status(
        self, ma: str, reporter: str, code: str, t: int, den_serial: int, o: int, heap: list
    ) -> None:
        serial = self.status_serials
        self.status_serials += 1
        # kept compact until its day comes: millions of statuses wait in the future buckets
        self._schedule(t, 2, (ma, reporter, code, den_serial, serial), o, heap)

    def _status_row(self, t: int, item: tuple) -> Row:
        ma, reporter, code, den_serial, serial = item
        utc = self.rng.random() < P_UTC
        return Row(
            [ma, reporter, code, fmt_iso_offset(t, utc=utc), names.STATUS_NOTES[code]],
            (serial, int(code), den_serial, t // DAY),
        )

    # -------------------------------------------------------------------- rows
    def _di_row(self, doc: Doc, lt: int) -> Row:
        values = [
            doc.ma,
            doc.so,
            doc.loai,
            doc.trich,
            "DI",
            doc.sender,
            "",
            fmt_vn_date(doc.ngay_vb),
            fmt_vn_datetime(doc.t_send),
            FORMS[doc.form],
            "1" if doc.signed else "0",
            "1" if doc.axis else "0",
            "",
            fmt_vn_datetime(lt, seconds=True),
        ]
        hook = (
            doc.serial,
            lt,
            0,
            self.agency_idx(doc.sender),
            doc.t_send // DAY,
            doc.form,
            int(doc.signed),
            int(doc.axis),
            0,
        )
        return Row(values, hook, list(doc.tags) if doc.tags else None)

    def _den_row(self, den: DenRow, lt: int) -> Row:
        doc = den.doc
        values = [
            doc.ma,
            doc.so,
            doc.loai,
            doc.trich,
            "DEN",
            den.agency,
            doc.sender,
            fmt_vn_date(doc.ngay_vb),
            fmt_vn_datetime(den.t_arr),
            FORMS[doc.form],
            "1" if doc.signed else "0",
            "1" if doc.axis else "0",
            fmt_vn_date(den.deadline) if den.deadline else "",
            fmt_vn_datetime(lt, seconds=True),
        ]
        hook = (
            den.serial,
            lt,
            1,
            self.agency_idx(den.agency),
            den.t_arr // DAY,
            doc.form,
            int(doc.signed),
            int(doc.axis),
            den.deadline,
        )
        return Row(values, hook)
