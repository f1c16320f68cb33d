"""Defects of the real exports (source-contracts.md, "Defects"), each class switchable.

Three kinds, by where they act:

* day level (`DefectPlan`): a system-day is missing, late, re-sent, or its send is broken
  (truncated file, manifest mismatch, schema break). Broken sends are normally re-sent fixed
  (the broken one kept under `_first_send/`); one per run stays broken in the landing.
* state level (`StateDefects`): the source system holds a wrong value (an unknown agency or
  procedure code, an end before acceptance, a date in the future, a lost acceptance date), so
  every later version of the record carries it; the truth counts it as exported.
* record level (`Injector`): how a record is written (duplicates, messy codes, NFD,
  Windows-1258, `00000000000000`, new columns, corrupt records); the truth is unchanged except
  that a corrupt record is quarantined and so not delivered.

Every class has a realistic rate, and when switched on at least one instance is placed in every
run (the first day it can be delivered), so even a short test run exercises each one.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from cchc_warehouse.simulate.clock import WorkCalendar
from cchc_warehouse.simulate.schema import FILES, SYSTEMS, FileDef, Row
from cchc_warehouse.simulate.world import rng_for
from cchc_warehouse.simulate.writers import nfd

DEFECT_CLASSES: tuple[str, ...] = (
    "duplicates",
    "resend",
    "late",
    "missing_day",
    "encoding",
    "null_dates",
    "clock_errors",
    "messy_codes",
    "unknown_codes",
    "truncated",
    "manifest_mismatch",
    "schema_drift",
    "schema_break",
    "corrupt_records",
)
DAY_FAILING = ("truncated", "manifest_mismatch", "schema_break")

# per system-day (a province year has ~365 days x 3 systems)
DAY_RATES: dict[str, float] = {
    "missing_day": 0.008,
    "late": 0.015,
    "resend": 0.012,
    "truncated": 0.004,
    "manifest_mismatch": 0.004,
    "schema_break": 0.003,
}
# per record, per file-day
P_DUP_LINE = 0.002  # an exact duplicate line in the same file
P_DUP_CROSS = 0.001  # a record of yesterday's file exported again, unchanged
P_MESSY = {"hoso.jsonl": 0.004, "quatrinh.csv": 0.002, "vanban.csv": 0.003}
P_NFD_ROW = 0.01
P_NFD_FILE = 0.01
P_NULL_DATES = 0.02
P_CP1258 = 0.015  # a CSV file with Vietnamese text written in Windows-1258
P_CP1258_MISLABELLED = 0.3  # ... whose manifest still says utf-8
P_CORRUPT = 0.03  # a file-day with a corrupt record
P_SNAPSHOT_MESSY = 0.01
# state level, per dossier / document / event
STATE_RATES: dict[str, float] = {
    "unknown_codes:agency": 0.0005,
    "unknown_codes:procedure": 0.002,
    "unknown_codes:document": 0.0005,
    "clock_errors:end_before_accept": 0.0005,
    "clock_errors:future": 0.0003,
    "null_dates:lost_acceptance": 0.0003,
}
CORRUPT_VARIANTS: dict[str, tuple[str, ...]] = {
    "hoso.jsonl": ("badjson", "bytes"),
    "quatrinh.csv": ("fields", "bytes"),
    "vanban.csv": ("fields", "bytes"),
    "noinhan.csv": ("fields",),
    "trangthai.xml": ("badxml",),
    "thanhtoan.csv": ("fields",),
    "danhgia.xlsx": ("formula",),
}
CORRUPT_DETAIL = {
    "badjson": "a JSON line with an unescaped quote inside a value",
    "bytes": "a line with bytes that no encoding decodes (0x81 0x8D 0x9D)",
    "fields": "a CSV row with the wrong number of fields (an unquoted comma or a field missing)",
    "badxml": "a <TrangThai> element that is not well-formed XML (raw & and <)",
    "formula": "a sheet row whose Thời điểm cell holds a formula (=NOW()) instead of a date",
}
DRIFT: dict[str, tuple[str, str]] = {
    # file -> (new field, inserted after this field; "" = appended)
    "hoso.jsonl": ("MaHoSoQG", "KenhThucHien"),
    "vanban.csv": ("do_khan", "loai_van_ban"),
    "thanhtoan.csv": ("ma_ngan_hang", ""),
    "coquan.json": ("DiaChi", ""),
}
SCHEMA_BREAK: dict[str, tuple[str, str]] = {
    "hoso.jsonl": ("NgayTiepNhan", "NgayTiepNhanHS"),
    "quatrinh.csv": ("ThoiDiem", "ThoiGian"),
    "vanban.csv": ("thoi_diem_gui", "thoi_gian_gui"),
    "trangthai.xml": ("MaTrangThai", "MaTinhTrang"),
    "thanhtoan.csv": ("trang_thai", "tinh_trang"),
    "thutuc.json": ("MaTTHC", "MaThuTuc"),
}
ZERO_DATE = "00000000000000"


def parse_defects(spec: str | Iterable[str] | None) -> frozenset[str]:
    """`all` (default), `none`, or a subset of DEFECT_CLASSES (a comma list or an iterable)."""
    if spec is None:
        return frozenset(DEFECT_CLASSES)
    if isinstance(spec, str):
        s = spec.strip().lower()
        if s in ("all", ""):
            return frozenset(DEFECT_CLASSES) if s == "all" else frozenset()
        if s == "none":
            return frozenset()
        names = [n.strip() for n in s.split(",") if n.strip()]
    else:
        names = [str(n).strip() for n in spec]
    unknown = sorted(set(names) - set(DEFECT_CLASSES))
    if unknown:
        raise ValueError(
            f"unknown defect class {', '.join(unknown)}; known: {', '.join(DEFECT_CLASSES)}"
        )
    return frozenset(names)


# ------------------------------------------------------------------ day level
@dataclass(frozen=True)
class DayFate:
    kind: str = "normal"  # normal | missing | late | resend | broken | broken_final
    cls: str | None = None
    arrives_after: int | None = None  # late: the ordinal of the day after which it arrives

    @property
    def delivered(self) -> bool:
        return self.kind not in ("missing", "broken_final")


NORMAL = DayFate()


class DefectPlan:
    """Which system-days are missing, late, re-sent or broken, and when new fields appear."""

    def __init__(
        self, seed: int, enabled: frozenset[str], start: date, end: date, cal: WorkCalendar
    ) -> None:
        self.enabled = enabled
        self.start = start.toordinal()
        self.end = end.toordinal()
        self.fates: dict[tuple[str, int], DayFate] = {}
        rng = rng_for(seed, "defects", "plan")
        days = list(range(self.start, self.end + 1))
        # the last export day is never missing or broken, so as_of_date is the range's end
        slots = [(s, o) for o in days[:-1] for s in SYSTEMS]
        work_slots = [x for x in slots if cal.is_working(x[1])]
        taken: set[tuple[str, int]] = set()

        def pick(pool: list[tuple[str, int]]) -> tuple[str, int] | None:
            free = [x for x in pool if x not in taken] or [x for x in slots if x not in taken]
            if not free:
                return None
            x = free[rng.randrange(len(free))]
            taken.add(x)
            return x

        for cls in ("missing_day", "late", "resend", *DAY_FAILING):
            if cls in enabled:
                x = pick(work_slots if cls != "missing_day" else slots)
                if x is not None:
                    self.fates[x] = self._fate(cls, x[1], rng)
        finals = [c for c in ("truncated", "manifest_mismatch") if c in enabled]
        if finals and len(days) >= 10:
            x = pick(work_slots)
            if x is not None:
                self.fates[x] = DayFate("broken_final", finals[rng.randrange(len(finals))])
        for x in slots:
            u = rng.random()
            if x in taken:
                continue
            acc = 0.0
            for cls, rate in DAY_RATES.items():
                acc += rate
                if u < acc:
                    if cls in enabled:
                        self.fates[x] = self._fate(cls, x[1], rng)
                    break
        self.drift: dict[str, int] = {}
        if "schema_drift" in enabled:
            span = self.end - self.start
            for i, name in enumerate(DRIFT):
                self.drift[name] = self.start + int(span * (0.2 + 0.15 * i + 0.1 * rng.random()))

    def _fate(self, cls: str, o: int, rng: random.Random) -> DayFate:
        if cls == "missing_day":
            return DayFate("missing", cls)
        if cls == "late":
            return DayFate("late", cls, min(self.end, o + rng.randint(1, 3)))
        if cls == "resend":
            return DayFate("resend", cls)
        return DayFate("broken", cls)

    def fate(self, system: str, o: int) -> DayFate:
        return self.fates.get((system, o), NORMAL)

    def delivers(self, system: str, o: int) -> bool:
        return self.fates.get((system, o), NORMAL).delivered


class StateDefects:
    """Decides state-level defects for one simulation stream (its own random stream, so the
    simulated data do not change when defects are switched on or off)."""

    def __init__(self, seed: int, enabled: frozenset[str], plan: DefectPlan, stream: str) -> None:
        self.rng = rng_for(seed, "defects", "state", stream)
        self.enabled = enabled
        self.plan = plan
        self.pending = {k for k in STATE_RATES if k.split(":")[0] in enabled}

    def take(self, key: str, system: str, o: int) -> bool:
        if key.split(":", 1)[0] not in self.enabled or o < self.plan.start:
            return False
        if key in self.pending and self.plan.delivers(system, o):
            self.pending.discard(key)
            return True
        return self.rng.random() < STATE_RATES[key]


# --------------------------------------------------------------- record level
@dataclass
class FileOut:
    """One file of a day, ready to render: columns (after drift), rows, encoding."""

    fd: FileDef
    columns: tuple[str, ...]
    rows: list[Row]
    cp1258: bool = False
    declared: str = "utf-8"
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # file-level instances


def _note(r: Row, cls: str, detail: str, expect: str) -> None:
    if r.notes is None:
        r.notes = []
    r.notes.append((cls, detail, expect))


def messy(value: str, rng: random.Random) -> str:
    """A code as someone typed it: surrounding spaces and/or lower case (never unchanged)."""
    k = int(rng.random() * 4)
    if value.lower() == value:  # digits only (procedure codes): lower case changes nothing
        k = k % 2
    if k == 0:
        return f" {value}"
    if k == 1:
        return f"{value} "
    if k == 2:
        return value.lower()
    return f"  {value.lower()} "


def _non_ascii_rows(rows: list[Row], cols: tuple[int, ...]) -> int:
    return sum(1 for r in rows if any(not str(r.values[i]).isascii() for i in cols))


class Injector:
    """Record-level defects for delivered sends; remembers yesterday's rows (cross-day copies)."""

    def __init__(self, seed: int, enabled: frozenset[str], plan: DefectPlan) -> None:
        self.seed = seed
        self.enabled = enabled
        self.plan = plan
        self.prev: dict[str, list[Row]] = {}
        pend: set[str] = set()
        if "duplicates" in enabled:
            pend |= {"duplicates:line", "duplicates:cross_day"}
        if "messy_codes" in enabled:
            pend |= {"messy_codes:row", "messy_codes:snapshot"}
        if "encoding" in enabled:
            pend |= {
                "encoding:nfd_row",
                "encoding:nfd_file",
                "encoding:cp1258",
                "encoding:cp1258_mislabelled",
            }
        if "null_dates" in enabled:
            pend.add("null_dates:zeros")
        if "corrupt_records" in enabled:
            pend |= {f"corrupt_records:{v}" for vs in CORRUPT_VARIANTS.values() for v in vs}
        self.pending = pend
        self.drift_noted: set[str] = set()

    def remember(self, system: str, o: int, rows: dict[str, list]) -> None:
        """Pick today's records the source will export again, unchanged, tomorrow (copies taken
        before today's rendering defects touch them)."""
        if "duplicates" not in self.enabled:
            return
        rng = rng_for(self.seed, "defects", "carry", system, o)
        for fd in FILES[system]:
            if fd.snapshot:
                continue
            src = rows.get(fd.name, [])
            picked = [Row(list(r.values), r.hook) for r in src if rng.random() < P_DUP_CROSS]
            if not picked and src and "duplicates:cross_day" in self.pending:
                r = src[int(rng.random() * len(src))]
                picked = [Row(list(r.values), r.hook)]
            self.prev[fd.name] = picked

    def _force(self, key: str) -> bool:
        if key in self.pending:
            self.pending.discard(key)
            return True
        return False

    def day(self, system: str, o: int, rows: dict[str, list], *, inject: bool) -> list[FileOut]:
        """The day's files with record-level defects (when `inject`). Rows are edited in place:
        the simulations hand over fresh value lists (and fresh snapshot dicts) every day."""
        rng = rng_for(self.seed, "defects", "rec", system, o)
        carried = {name: rows_ for name, rows_ in self.prev.items()}
        self.remember(system, o, rows)
        outs = []
        for fd in FILES[system]:
            src = rows.get(fd.name, [])
            if fd.snapshot:
                out = [Row(v) for v in src]
            else:
                out = list(src)  # the simulations' fresh rows, edited in place
                if inject:
                    for r in out:
                        if r.tags:
                            r.notes = list(r.tags)
            fo = FileOut(fd, fd.columns, out)
            if inject:
                if fd.snapshot:
                    self._snapshot(fo, rng)
                else:
                    self._records(fo, rng, carried.get(fd.name) or [])
            self._drift(fo, o, rng, noted=inject)
            outs.append(fo)
        return outs

    def _records(self, fo: FileOut, rng: random.Random, carried: list[Row]) -> None:
        fd, rows = fo.fd, fo.rows
        en = self.enabled
        # Windows-1258 is decided first: such a file cannot also carry NFD or stray bytes
        if "encoding" in en and fd.format == "csv" and fd.text_columns:
            self._windows_1258(fo, rng)
        if "messy_codes" in en and fd.name in P_MESSY:
            p = P_MESSY[fd.name]
            force = "messy_codes:row" in self.pending
            for r in rows:
                cols = [i for i in fd.code_columns if r.values[i]]
                if cols and (force or rng.random() < p):
                    i = cols[rng.randrange(len(cols))]
                    r.values[i] = messy(r.values[i], rng)
                    _note(r, "messy_codes", f"{fd.columns[i]} written as {r.values[i]!r}", "loaded")
                    if force:
                        self.pending.discard("messy_codes:row")
                        force = False
        if "encoding" in en and fd.text_columns and not fo.cp1258:
            if self._force_if("encoding:nfd_file", rows, fd) or rng.random() < P_NFD_FILE:
                for r in rows:
                    for i in fd.text_columns:
                        r.values[i] = nfd(r.values[i])
                fo.notes.append(("encoding", "all Vietnamese text of the file in NFD", "loaded"))
            else:
                force = "encoding:nfd_row" in self.pending
                for r in rows:
                    cols = [i for i in fd.text_columns if not str(r.values[i]).isascii()]
                    if cols and (force or rng.random() < P_NFD_ROW):
                        for i in cols:
                            r.values[i] = nfd(r.values[i])
                        _note(r, "encoding", f"{fd.columns[cols[0]]} in NFD", "loaded")
                        if force:
                            self.pending.discard("encoding:nfd_row")
                            force = False
        if "null_dates" in en and fd.null_date_columns:
            force = "null_dates:zeros" in self.pending
            for r in rows:
                empty = [i for i in fd.null_date_columns if r.values[i] == ""]
                if empty and (force or rng.random() < P_NULL_DATES):
                    for i in empty:
                        r.values[i] = ZERO_DATE
                    cols = ", ".join(fd.columns[i] for i in empty)
                    _note(r, "null_dates", f"null dates written as {ZERO_DATE}: {cols}", "loaded")
                    if force:
                        self.pending.discard("null_dates:zeros")
                        force = False
        if "duplicates" in en:
            self._duplicates(fo, rng, carried)
        if "corrupt_records" in en and fd.name in CORRUPT_VARIANTS:
            self._corrupt(fo, rng)

    def _windows_1258(self, fo: FileOut, rng: random.Random) -> None:
        if _non_ascii_rows(fo.rows, fo.fd.text_columns) < 3:
            return  # an all-ASCII file reads the same in any encoding: nothing to test
        mislabel = None
        if "encoding:cp1258" in self.pending:
            mislabel = False
        elif "encoding:cp1258_mislabelled" in self.pending:
            mislabel = True
        elif rng.random() < P_CP1258:
            mislabel = rng.random() < P_CP1258_MISLABELLED
        if mislabel is None:
            return
        self.pending.discard("encoding:cp1258_mislabelled" if mislabel else "encoding:cp1258")
        fo.cp1258 = True
        fo.declared = "utf-8" if mislabel else "windows-1258"
        detail = "file written in Windows-1258"
        if mislabel:
            detail += "; the manifest wrongly says utf-8"
        fo.notes.append(("encoding", detail, "loaded"))

    def _force_if(self, key: str, rows: list[Row], fd: FileDef) -> bool:
        if key in self.pending and _non_ascii_rows(rows, fd.text_columns) >= 1:
            self.pending.discard(key)
            return True
        return False

    def _duplicates(self, fo: FileOut, rng: random.Random, carried: list[Row]) -> None:
        rows = fo.rows
        out: list[Row] = []
        force = "duplicates:line" in self.pending and len(rows) >= 2
        later: list[tuple[int, Row]] = []
        for i, r in enumerate(rows):
            out.append(r)
            if force or rng.random() < P_DUP_LINE:
                copy = Row(list(r.values), r.hook)
                key = r.values[0]
                _note(
                    copy, "duplicates", f"exact duplicate of an earlier line (key {key})", "loaded"
                )
                later.append((i + rng.randint(1, 5), copy))
                if force:
                    self.pending.discard("duplicates:line")
                    force = False
        if later:
            merged: list[Row] = []
            by_pos: dict[int, list[Row]] = {}
            for pos, c in later:
                by_pos.setdefault(min(pos, len(out) - 1), []).append(c)
            for i, r in enumerate(out):
                merged.append(r)
                merged.extend(by_pos.get(i, ()))
            out = merged
        for r in carried:
            copy = Row(list(r.values), r.hook)
            _note(
                copy,
                "duplicates",
                f"record of the previous day's file exported again unchanged (key {r.values[0]})",
                "loaded",
            )
            out.insert(int(rng.random() * (len(out) + 1)), copy)
            self.pending.discard("duplicates:cross_day")
        fo.rows = out

    def _corrupt(self, fo: FileOut, rng: random.Random) -> None:
        rows = fo.rows
        variants = CORRUPT_VARIANTS[fo.fd.name]
        forced = [v for v in variants if f"corrupt_records:{v}" in self.pending]
        hit = rng.random() < P_CORRUPT
        if not (forced or hit) or len(rows) < 3:
            return
        candidates = [i for i in range(len(rows) - 1) if rows[i].notes is None]
        if not candidates:
            return
        variant = forced[0] if forced else variants[rng.randrange(len(variants))]
        if variant == "bytes" and (
            fo.cp1258 or _non_ascii_rows(rows, fo.fd.text_columns) < 4 or not fo.fd.text_columns
        ):
            variant = next((v for v in variants if v != "bytes"), None)
            if variant is None:
                return
        self.pending.discard(f"corrupt_records:{variant}")
        i = candidates[rng.randrange(len(candidates))]
        rows[i].corrupt = variant
        _note(rows[i], "corrupt_records", CORRUPT_DETAIL[variant], "quarantine")

    def _snapshot(self, fo: FileOut, rng: random.Random) -> None:
        en = self.enabled
        if (
            "messy_codes" in en
            and fo.fd.name == "thutuc.json"
            and fo.rows
            and (self._force("messy_codes:snapshot") or rng.random() < P_SNAPSHOT_MESSY)
        ):
            r = fo.rows[int(rng.random() * len(fo.rows))]
            r.values = dict(r.values)  # the world's cached row stays clean
            codes = list(r.values["CoQuanThucHien"])
            if codes:
                k = rng.randrange(len(codes))
                codes[k] = messy(codes[k], rng)
                r.values["CoQuanThucHien"] = codes
                _note(r, "messy_codes", f"CoQuanThucHien lists {codes[k]!r}", "loaded")
        if "encoding" in en and fo.fd.name == "coquan.json" and rng.random() < P_NFD_FILE:
            for r in fo.rows:
                r.values = {**r.values, "TenCoQuan": nfd(r.values["TenCoQuan"])}
            fo.notes.append(("encoding", "agency names in NFD", "loaded"))

    def _drift(self, fo: FileOut, o: int, rng: random.Random, *, noted: bool) -> None:
        name = fo.fd.name
        first = self.plan.drift.get(name)
        if first is None or o < first:
            return
        new, after = DRIFT[name]
        if fo.fd.snapshot:
            for r in fo.rows:
                d = r.values
                address = f"Số {_stable(d['MaCoQuan']) % 200 + 1}, đường Trần Hưng Đạo, Sóc Trăng"
                r.values = {**d, new: address}
        else:
            pos = fo.columns.index(after) + 1 if after else len(fo.columns)
            fo.columns = fo.columns[:pos] + (new,) + fo.columns[pos:]
            for r in fo.rows:
                r.values.insert(pos, _drift_value(new, r.values, rng))
        shows = fo.fd.format == "csv" or bool(fo.rows)
        if noted and shows and name not in self.drift_noted:
            self.drift_noted.add(name)
            fo.notes.append(("schema_drift", f"new field {new} from this day on", "loaded"))


def _drift_value(name: str, values: list, rng: random.Random) -> str:
    if name == "MaHoSoQG":
        return "G22." + str(values[0]).replace(".", "").replace("-", "")[-14:]
    if name == "do_khan":
        return rng.choices(("Thường", "Khẩn", "Thượng khẩn", "Hỏa tốc"), (90, 7, 2, 1))[0]
    if name == "ma_ngan_hang":
        return rng.choice(("VCB", "BIDV", "VTB", "AGR", ""))
    return ""


def _stable(s: str) -> int:
    return sum((i + 1) * ord(c) for i, c in enumerate(s))
