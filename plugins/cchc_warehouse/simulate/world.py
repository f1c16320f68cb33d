"""The static world: the province's agencies and procedures, and how they change over time.

A `World` is built from (scale, seed, date range) and answers "what did the directory / the
catalogue look like on day o" (both snapshots are rendered from it, and the ground truth reads the
year-end catalogue from it), plus the weighted tables the dossier and document simulations draw
from. Agency codes follow QĐ 20/2020/QĐ-TTg's shape `ABC.DE.FG.Hxx`: level 1 is the province
(`H60`), FG a unit directly under it (departments 02-19, districts 31-41), DE a unit under that
(communes), so `000.03.33.H60` is the third commune of the third district.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

import numpy as np

from cchc_warehouse.simulate import names
from cchc_warehouse.simulate.clock import WorkCalendar

PROVINCE_CODE = "94"  # Sóc Trăng's administrative code; the manifests keep it after 2025
PROVINCE_LETTER = "H60"
PROVINCE_NAME = "Sóc Trăng"
MERGED_PROVINCE_CODE = "92"  # Cần Thơ, which Sóc Trăng joined on 1 July 2025
MERGED_LETTER = "H13"
MERGED_NAME = "Cần Thơ"
REORG_DATE = date(2025, 7, 1)  # Nghị quyết 202/2025/QH15
ND42_DATE = date(2022, 8, 1)  # Nghị định 42/2022: MucDo becomes THONG_TIN/MOT_PHAN/TOAN_TRINH

LEVEL_SHARE = {"XA": 0.50, "HUYEN": 0.33, "TINH": 0.17}  # of dossiers, by handling level
MUCDO_NEW = {2: "THONG_TIN", 3: "MOT_PHAN", 4: "TOAN_TRINH"}
# online propensity multiplier by year (2021 = the calibration year, 4.8% of level-3/4 dossiers)
ONLINE_TREND = {2019: 0.4, 2020: 0.7, 2021: 1.0, 2022: 2.2, 2023: 3.5, 2024: 4.5, 2025: 5.5}
# 4.8% of level-3/4 dossiers *received* online in 2021; 8% of online submissions are rejected
ONLINE_SHARE_2021 = 0.052
# procedures per department at province scale (relative; Sở TTTT had 41 in 2023)
DEPT_PROCEDURES = {
    "NV": 70,
    "TP": 130,
    "KHDT": 150,
    "TC": 40,
    "CT": 110,
    "NNPTNT": 120,
    "GTVT": 110,
    "XD": 60,
    "TNMT": 100,
    "TTTT": 41,
    "LDTBXH": 100,
    "VHTTDL": 110,
    "KHCN": 50,
    "GDDT": 90,
    "YT": 150,
    "TTR": 10,
    "BDT": 3,
    "KCN": 20,
}


@dataclass(frozen=True)
class ScaleSpec:
    name: str
    departments: tuple[str, ...]
    districts: tuple[tuple[str, int], ...]  # (district key, communes)
    procedures: dict[str, int]  # by CapThucHien
    dossiers_per_year: float
    documents_per_year: float  # outgoing (DI)
    external_in_per_year: float  # incoming from outside the province


SCALES: dict[str, ScaleSpec] = {
    "province": ScaleSpec(
        name="province",
        departments=tuple(d[0] for d in names.DEPARTMENTS),
        districts=tuple((d[0], d[4]) for d in names.DISTRICTS),
        procedures={"TINH": 1362, "HUYEN": 287, "XA": 178},
        dossiers_per_year=500_000,
        documents_per_year=251_411,
        external_in_per_year=120_000,
    ),
    "small": ScaleSpec(
        name="small",
        departments=("TP", "TNMT", "TTTT"),
        districts=(("TPST", 3), ("CT", 3)),
        procedures={"TINH": 50, "HUYEN": 18, "XA": 12},
        dossiers_per_year=15_000,
        documents_per_year=7_500,
        external_in_per_year=3_000,
    ),
}


def rng_for(seed: int, *stream: object) -> random.Random:
    """An independent, reproducible random stream (str seeds hash with SHA-512, not hash())."""
    return random.Random(":".join(str(s) for s in (seed, *stream)))


@dataclass(slots=True, eq=False)
class Agency:
    code: str
    cap: str  # TINH | SO | HUYEN | XA
    admin_unit: str
    valid_from: int  # ordinal
    names: list[tuple[int, str]]
    parents: list[tuple[int, str | None]]
    abbrev: str
    key: str = ""  # department key, district key, or ""
    dossier_weight: float = 0.0  # share of the province's dossiers while in force
    doc_rate: float = 0.0  # outgoing documents a year
    ext_rate: float = 0.0  # incoming documents from outside the province a year
    district: str | None = None  # communes: the district's code
    valid_to: int | None = None
    successor: str | None = None

    def name_on(self, o: int) -> str:
        return _at(self.names, o)

    def parent_on(self, o: int) -> str | None:
        return _at(self.parents, o)

    def in_force(self, o: int) -> bool:
        return self.valid_from <= o and (self.valid_to is None or o <= self.valid_to)

    def listed(self, o: int) -> bool:
        return self.valid_from <= o


def _at(history: list, o: int):
    value = history[0][1]
    for since, v in history:
        if since <= o:
            value = v
        else:
            break
    return value


@dataclass(frozen=True, slots=True)
class ProcState:
    level: int  # 2, 3, 4 (MucDo before Nghị định 42/2022)
    integrated: bool  # TichHopDVCQG
    pay_online: bool  # ThanhToanTrucTuyen
    bcci: bool  # CoBCCI
    in_force: bool  # HieuLuc
    agencies: tuple[str, ...]  # CoQuanThucHien
    cap: str  # CapThucHien


@dataclass(slots=True, eq=False)
class Procedure:
    idx: int
    code: str
    name: str
    field_code: str
    field_name: str
    deadline: int | None  # ThoiHanNgay, working days; None: the procedure sets no deadline
    fee: int
    published: int  # ordinal of NgayCongBo
    popularity: float
    p_online: float  # 2021 propensity of an online dossier (level 3/4 only)
    applicant: int  # typical LoaiDoiTuong
    owner: str  # department key, "VP", "HUYEN" or "XA"
    versions: list[tuple[int, ProcState]] = field(default_factory=list)

    def state_on(self, o: int) -> ProcState | None:
        if o < self.published:
            return None
        return _at(self.versions, o)

    def current(self) -> ProcState:
        return self.versions[-1][1]

    def change(self, o: int, **kw) -> None:
        state = self.current()
        new = ProcState(**{**_asdict(state), **kw})
        if self.versions[-1][0] == o:
            self.versions[-1] = (o, new)
        else:
            self.versions.append((o, new))


def _asdict(s: ProcState) -> dict:
    return {k: getattr(s, k) for k in ProcState.__slots__}


@dataclass(slots=True)
class PairTable:
    """Weighted (agency, procedure) pairs for drawing dossiers; `total` = sum of weights."""

    agencies: list[Agency]
    procs: list[Procedure]
    cum: list[float]
    total: float

    def draw(self, rng: random.Random) -> tuple[Agency, Procedure]:
        i = bisect_right(self.cum, rng.random() * self.total)
        i = min(i, len(self.cum) - 1)
        return self.agencies[i], self.procs[i]


class CodeTable:
    """Interned codes for the ground truth's compact arrays (index <-> normalised code)."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, code: str) -> int:
        i = self.index.get(code)
        if i is None:
            i = self.index[code] = len(self.codes)
            self.codes.append(code)
        return i


class World:
    """Agencies, procedures and their history over [warm_start, end] for one scale and seed."""

    def __init__(
        self,
        spec: ScaleSpec,
        seed: int,
        warm_start: date,
        end: date,
        reorganise_on: date | None,
        cal: WorkCalendar,
    ) -> None:
        self.spec = spec
        self.seed = seed
        self.cal = cal
        self.first = warm_start.toordinal()
        self.last = end.toordinal()
        self.reorg = reorganise_on.toordinal() if reorganise_on else None
        if self.reorg is not None and not (self.first < self.reorg <= self.last):
            self.reorg = None  # outside the simulated range: nothing to show
        self.agencies: list[Agency] = []
        self.by_code: dict[str, Agency] = {}
        self.procedures: list[Procedure] = []
        self.agency_codes = CodeTable()
        self.proc_codes = CodeTable()
        self.dir_changes: set[int] = {self.first}
        self.cat_changes: set[int] = {self.first}
        rng = rng_for(seed, "world")
        self._build_agencies(rng)
        self._build_procedures(rng)
        self._calibrate_online()
        self._directory_events(rng_for(seed, "world", "events"))
        # catalogue decisions and the reorganisation in date order: both append versions
        self._catalogue_churn(rng_for(seed, "world", "churn"), rng_for(seed, "world", "reorg"))
        nd42 = ND42_DATE.toordinal()
        if self.first < nd42 <= self.last:
            self.cat_changes.add(nd42)
        self.dir_change_days = sorted(self.dir_changes)
        self.cat_change_days = sorted(self.cat_changes)
        self.external_codes = _external_codes()
        self.ghost_agencies = (
            f"000.00.98.{PROVINCE_LETTER}",
            f"000.00.99.{PROVINCE_LETTER}",
            f"000.14.31.{PROVINCE_LETTER}",
        )
        self.ghost_procedures = tuple(f"1.0{n:05d}" for n in (99001, 99017, 99120, 98406))
        self._pair_cache: dict[tuple, tuple[PairTable, PairTable, float]] = {}
        self._rows_cache: dict[tuple, list[dict]] = {}

    # ----------------------------------------------------------------- agencies
    def _add(self, a: Agency) -> Agency:
        if a.code in self.by_code:
            raise ValueError(f"duplicate agency code {a.code}")
        self.agencies.append(a)
        self.by_code[a.code] = a
        return a

    def _build_agencies(self, rng: random.Random) -> None:
        first = self.first
        since = date(2016, 1, 1).toordinal()
        letter = PROVINCE_LETTER
        ubnd = self._add(
            Agency(
                f"000.00.00.{letter}",
                "TINH",
                PROVINCE_CODE,
                since,
                [(since, f"Ủy ban nhân dân tỉnh {PROVINCE_NAME}")],
                [(since, None)],
                "UBND",
                key="UBND",
                doc_rate=9.0,
                ext_rate=18.0,
            )
        )
        self._add(
            Agency(
                f"000.00.01.{letter}",
                "TINH",
                PROVINCE_CODE,
                since,
                [(since, f"Văn phòng Ủy ban nhân dân tỉnh {PROVINCE_NAME}")],
                [(since, ubnd.code)],
                "VP",
                key="VP",
                dossier_weight=0.4,
                doc_rate=12.0,
                ext_rate=6.0,
            )
        )
        for i, d in enumerate(names.DEPARTMENTS):
            key, name, abbrev, _, dw, docw, _ = d
            if key not in self.spec.departments:
                continue
            self._add(
                Agency(
                    f"000.00.{i + 2:02d}.{letter}",
                    "SO",
                    PROVINCE_CODE,
                    since,
                    [(since, name)],
                    [(since, ubnd.code)],
                    abbrev,
                    key=key,
                    dossier_weight=dw,
                    doc_rate=4.0 * docw,
                    ext_rate=3.0 * docw,
                )
            )
        district_defs = {d[0]: d for d in names.DISTRICTS}
        for dkey, n_communes in self.spec.districts:
            _, dname, kind, admin, _ = district_defs[dkey]
            dnum = 31 + [d[0] for d in names.DISTRICTS].index(dkey)
            pop = rng.lognormvariate(0, 0.35) * (1.4 if kind == "thành phố" else 1.0)
            district = self._add(
                Agency(
                    f"000.00.{dnum}.{letter}",
                    "HUYEN",
                    admin,
                    since,
                    [(since, f"Ủy ban nhân dân {kind} {dname}")],
                    [(since, ubnd.code)],
                    "UBND",
                    key=dkey,
                    dossier_weight=pop,
                    doc_rate=7.0 * rng.lognormvariate(0, 0.25),
                    ext_rate=1.5,
                )
            )
            for ci, cname in enumerate(names.COMMUNES[dkey][:n_communes]):
                label = _commune_label(cname)
                self._add(
                    Agency(
                        f"000.{ci + 1:02d}.{dnum}.{letter}",
                        "XA",
                        f"{31000 + (int(admin) - 941) * 100 + ci + 1}",
                        since,
                        [(since, f"Ủy ban nhân dân {label}")],
                        [(since, district.code)],
                        "UBND",
                        key=cname,
                        dossier_weight=rng.lognormvariate(0, 0.5),
                        doc_rate=0.72 * rng.lognormvariate(0, 0.4),
                        ext_rate=0.08,
                        district=district.code,
                    )
                )
        # dossier weights -> absolute shares of the province's dossiers
        self._normalise_weights(first)

    def _normalise_weights(self, o: int) -> None:
        live = [a for a in self.agencies if a.in_force(o)]
        groups = {"XA": [], "HUYEN": [], "TINH": []}
        for a in live:
            groups["TINH" if a.cap in ("TINH", "SO") else a.cap].append(a)
        for level, members in groups.items():
            total = sum(a.dossier_weight for a in members) or 1.0
            for a in members:
                a.dossier_weight = LEVEL_SHARE[level] * a.dossier_weight / total
        doc_total = sum(a.doc_rate for a in live) or 1.0
        ext_total = sum(a.ext_rate for a in live) or 1.0
        for a in live:
            a.doc_rate = self.spec.documents_per_year * a.doc_rate / doc_total
            a.ext_rate = self.spec.external_in_per_year * a.ext_rate / ext_total

    def communes(self, o: int) -> list[Agency]:
        return [a for a in self.agencies if a.cap == "XA" and a.in_force(o)]

    def districts(self, o: int) -> list[Agency]:
        return [a for a in self.agencies if a.cap == "HUYEN" and a.in_force(o)]

    def departments(self, o: int) -> list[Agency]:
        return [a for a in self.agencies if a.cap == "SO" and a.in_force(o)]

    def province_agencies(self, o: int) -> list[Agency]:
        return [a for a in self.agencies if a.cap == "TINH" and a.in_force(o)]

    def in_force(self, o: int) -> list[Agency]:
        return [a for a in self.agencies if a.in_force(o)]

    # --------------------------------------------------------------- procedures
    def _build_procedures(self, rng: random.Random) -> None:
        used_codes: set[str] = set()
        used_names: set[str] = set()
        first = self.first
        communes = tuple(a.code for a in self.communes(first))
        districts = tuple(a.code for a in self.districts(first))
        depts = {a.key: a.code for a in self.departments(first)}
        vp = self.by_code[f"000.00.01.{PROVINCE_LETTER}"].code
        dept_ministries = {d[0]: d[3] for d in names.DEPARTMENTS}
        ministry_dept = {m: k for k, ms in dept_ministries.items() for m in ms}

        n_tinh = self.spec.procedures["TINH"]
        weights = {k: DEPT_PROCEDURES[k] for k in depts}
        total_w = sum(weights.values()) + 10
        quota = {k: max(3, round(n_tinh * w / total_w)) for k, w in weights.items()}
        quota["VP"] = max(2, n_tinh - sum(quota.values()))

        def new_proc(cap: str, owner: str, agencies: tuple[str, ...], headline=None) -> None:
            if headline is not None:
                pname, deadline, fref = headline
                mkey, fi = fref.split(":")
            else:
                pname = None
                deadline = None
                if owner in dept_ministries:
                    mkey = rng.choice(dept_ministries[owner])
                    fi = rng.randrange(len(names.FIELDS[mkey][1]))
                else:
                    fields = {
                        "XA": names.COMMUNE_FIELDS,
                        "HUYEN": names.DISTRICT_FIELDS,
                        "VP": names.PROVINCE_OFFICE_FIELDS,
                    }[owner]
                    mkey, fi = rng.choice(fields)
            fi = int(fi)
            prefix, fields_of_ministry = names.FIELDS[mkey]
            field_name = fields_of_ministry[fi]
            field_code = f"{prefix}-{fi + 1:02d}"
            if pname is None:
                for _ in range(200):
                    obj = rng.choice(names.OBJECTS)
                    cand = (
                        f"{rng.choice(names.ACTIONS)} {obj} lĩnh vực {field_name.lower()}"
                        f"{rng.choice(names.QUALIFIERS)}"
                    )
                    if cap != "TINH":
                        cand += " cấp huyện" if cap == "HUYEN" else " cấp xã"
                    if cand not in used_names:
                        pname = cand
                        break
                else:
                    pname = f"{cand} ({len(self.procedures) + 1})"
                deadline = _draw_deadline(rng, cap, field_name)
            elif deadline < 0:
                deadline = None
            used_names.add(pname)
            while True:
                if rng.random() < 0.72:
                    code = f"1.{rng.randrange(1000, 13000):06d}"
                else:
                    code = f"2.{rng.randrange(0, 2800):06d}"
                if code not in used_codes:
                    used_codes.add(code)
                    break
            has_fee = rng.random() < {"XA": 0.3, "HUYEN": 0.45, "TINH": 0.55}[cap]
            fee = _draw_fee(rng, field_name) if has_fee else 0
            u = rng.random()
            level = 2 if u < 0.105 else (3 if u < 0.105 + 0.165 else 4)
            if headline is not None and field_name == "Chứng thực" and cap != "TINH":
                level = 2  # certifying copies needs the originals at the counter: not online
            state = ProcState(
                level=level,
                integrated=level >= 3 and rng.random() < 0.15,
                pay_online=level == 4 and fee > 0 and rng.random() < 0.5,
                bcci=rng.random() < 0.75,
                in_force=True,
                agencies=agencies,
                cap=cap,
            )
            biz = field_name in (
                "Thành lập và hoạt động của doanh nghiệp",
                "Đầu tư tại Việt Nam",
                "Điện",
                "Hóa chất",
                "Hoạt động xây dựng",
                "Kinh doanh bất động sản",
                "Quản lý khu công nghiệp",
                "Xúc tiến thương mại",
            )
            p = Procedure(
                idx=len(self.procedures),
                code=code,
                name=pname,
                field_code=field_code,
                field_name=field_name,
                deadline=deadline,
                fee=fee,
                published=min(first - 30, date(2015, 1, 1).toordinal() + rng.randrange(6 * 365)),
                popularity=0.0,
                p_online=0.0,
                applicant=2 if biz else 1,
                owner=owner,
                versions=[(first, state)],
            )
            self.procedures.append(p)
            self.proc_codes(code)

        for cap, owner_list in (
            ("XA", [("XA", communes, self.spec.procedures["XA"])]),
            ("HUYEN", [("HUYEN", districts, self.spec.procedures["HUYEN"])]),
            ("TINH", [(k, (depts[k],), quota[k]) for k in depts] + [("VP", (vp,), quota["VP"])]),
        ):
            heads = list(names.HEADLINE[cap])
            for owner, agencies, n in owner_list:
                start_idx = len(self.procedures)
                mine = []
                if cap != "TINH":
                    mine = heads
                else:
                    mine = [h for h in heads if ministry_dept.get(h[2].split(":")[0]) == owner]
                for h in mine[:n]:
                    new_proc(cap, owner, agencies, headline=h)
                while len(self.procedures) - start_idx < n:
                    new_proc(cap, owner, agencies)
                # Zipf popularity within the owner's list: headlines first, the rest shuffled
                group = self.procedures[start_idx:]
                n_head = min(len(mine), n)
                tail = group[n_head:]
                rng.shuffle(tail)
                for rank, p in enumerate(group[:n_head] + tail, start=1):
                    p.popularity = 1.0 / rank**1.05
        # online-active procedures: only ~12% of level-3/4 procedures see an online dossier a year
        for p in self.procedures:
            if p.current().level >= 3 and rng.random() < 0.16:
                p.p_online = rng.uniform(0.15, 1.0) ** 2

    def _calibrate_online(self) -> None:
        """Scale online propensities so 2021 gives ~4.8% online among level-3/4 dossiers."""
        weights: list[tuple[float, float]] = []
        offered = self._offered(self.first)
        for a in self.in_force(self.first):
            procs = offered.get(a.code, [])
            total = sum(p.popularity for p in procs)
            for p in procs:
                if p.current().level >= 3:
                    weights.append((a.dossier_weight * p.popularity / total, p.p_online))
        w = np.array([x for x, _ in weights])
        b = np.array([y for _, y in weights])
        denom = float(w.sum())
        if denom <= 0:
            return

        def share(c: float) -> float:
            return float((w * np.minimum(0.95, c * b)).sum()) / denom

        lo, hi = 0.0, 1.0
        while share(hi) < ONLINE_SHARE_2021 and hi < 1e6:
            hi *= 2
        for _ in range(50):
            mid = (lo + hi) / 2
            if share(mid) < ONLINE_SHARE_2021:
                lo = mid
            else:
                hi = mid
        for p in self.procedures:
            p.p_online = min(0.95, p.p_online * hi)

    def _offered(self, o: int) -> dict[str, list[Procedure]]:
        out: dict[str, list[Procedure]] = {}
        for p in self.procedures:
            s = p.state_on(o)
            if s is None or not s.in_force:
                continue
            for code in s.agencies:
                out.setdefault(code, []).append(p)
        return out

    # ------------------------------------------------------------------ history
    def _directory_events(self, rng: random.Random) -> None:
        """A few communes upgraded to wards / towns and one moved district over the range."""
        last = self.last if self.reorg is None else self.reorg - 1
        years = max(1.0, (last - self.first) / 365.25)
        span = last - self.first
        if span < 20:
            return
        for a in self.communes(self.first):
            base = a.name_on(self.first)
            if "xã" in base and rng.random() < 0.02 * years:
                o = self.first + 14 + rng.randrange(span - 14)
                kind = rng.choice(("phường", "thị trấn"))
                a.names.append((o, base.replace("xã", kind, 1)))
                self.dir_changes.add(o)
        districts = self.districts(self.first)
        if len(districts) >= 2 and rng.random() < 0.5 * years:
            a = rng.choice(self.communes(self.first))
            others = [d for d in districts if d.code != a.district]
            o = self.first + 14 + rng.randrange(span - 14)
            a.parents.append((o, rng.choice(others).code))
            self.dir_changes.add(o)

    def _catalogue_churn(self, rng: random.Random, reorg_rng: random.Random) -> None:
        """Monthly decisions (quyết định công bố): abolish, publish, upgrade, integrate; the
        reorganisation is applied when its day comes, so versions stay in date order."""
        o = self.first
        months = []
        d = date.fromordinal(o)
        y, m = d.year, d.month
        while True:
            first_day = date(y, m, 1).toordinal()
            if first_day > self.last:
                break
            if first_day > self.first:
                months.append(self.cal.next_working(first_day))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        reorg_pending = self.reorg is not None
        for day in months + [self.last + 1]:
            if reorg_pending and self.reorg <= day:
                self._reorganise(reorg_rng)
                reorg_pending = False
            if day > self.last:
                break
            changed = False
            live = [p for p in self.procedures if p.current().in_force and p.published <= day]
            for p in live:
                s = p.current()
                u = rng.random()
                if u < 0.004:
                    p.change(day, in_force=False)
                elif u < 0.004 + 0.005 and s.level == 3:
                    p.change(day, level=4, pay_online=p.fee > 0 and rng.random() < 0.5)
                elif u < 0.004 + 0.008 and s.level == 2:
                    p.change(day, level=3)
                elif u < 0.004 + 0.008 + 0.002 and s.level >= 3 and not s.integrated:
                    p.change(day, integrated=True)
                else:
                    continue
                changed = True
            for _ in range(_poisson(rng, 0.004 * len(live))):
                src = rng.choice(live)
                self._publish_like(rng, src, day)
                changed = True
            if changed:
                self.cat_changes.add(day)

    def _publish_like(self, rng: random.Random, src: Procedure, day: int) -> None:
        """A newly published procedure at the same level and agencies as `src`."""
        used = {p.code for p in self.procedures}
        while True:
            code = f"2.{rng.randrange(2800, 3600):06d}"
            if code not in used:
                break
        s = src.current()
        level = rng.choice((3, 4, 4))
        p = Procedure(
            idx=len(self.procedures),
            code=code,
            name=f"{rng.choice(names.ACTIONS)} {rng.choice(names.OBJECTS)} lĩnh vực "
            f"{src.field_name.lower()} (sửa đổi {date.fromordinal(day).year})",
            field_code=src.field_code,
            field_name=src.field_name,
            deadline=src.deadline,
            fee=src.fee,
            published=day,
            popularity=src.popularity * rng.uniform(0.05, 0.4),
            p_online=src.p_online if src.p_online else 0.0,
            applicant=src.applicant,
            owner=src.owner,
            versions=[
                (
                    day,
                    ProcState(
                        level, False, level == 4 and src.fee > 0, s.bcci, True, s.agencies, s.cap
                    ),
                )
            ],
        )
        self.procedures.append(p)
        self.proc_codes(code)

    def _reorganise(self, rng: random.Random) -> None:
        """1 July 2025: districts abolished, communes merged, the province joins Cần Thơ."""
        r = self.reorg
        end = r - 1
        letter = MERGED_LETTER
        old_ubnd = self.by_code[f"000.00.00.{PROVINCE_LETTER}"]
        old_vp = self.by_code[f"000.00.01.{PROVINCE_LETTER}"]
        ubnd = self._add(
            Agency(
                f"000.00.00.{letter}",
                "TINH",
                MERGED_PROVINCE_CODE,
                r,
                [(r, f"Ủy ban nhân dân thành phố {MERGED_NAME}")],
                [(r, None)],
                "UBND",
                key="UBND",
                doc_rate=old_ubnd.doc_rate,
                ext_rate=old_ubnd.ext_rate,
            )
        )
        vp = self._add(
            Agency(
                f"000.00.01.{letter}",
                "TINH",
                MERGED_PROVINCE_CODE,
                r,
                [(r, f"Văn phòng Ủy ban nhân dân thành phố {MERGED_NAME}")],
                [(r, ubnd.code)],
                "VP",
                key="VP",
                dossier_weight=old_vp.dossier_weight,
                doc_rate=old_vp.doc_rate,
                ext_rate=old_vp.ext_rate,
            )
        )
        for old, new in ((old_ubnd, ubnd), (old_vp, vp)):
            old.valid_to, old.successor = end, new.code
        # departments: merged by the successor key, new codes under the merged city
        successor_key = {d[0]: d[6] for d in names.DEPARTMENTS}
        new_keys = list(names.NEW_DEPARTMENTS)
        new_depts: dict[str, Agency] = {}
        for old in self.departments(end):
            nk = successor_key[old.key]
            if nk not in new_depts:
                nname, nabbr = names.NEW_DEPARTMENTS[nk]
                new_depts[nk] = self._add(
                    Agency(
                        f"000.00.{new_keys.index(nk) + 2:02d}.{letter}",
                        "SO",
                        MERGED_PROVINCE_CODE,
                        r,
                        [(r, nname)],
                        [(r, ubnd.code)],
                        nabbr,
                        key=nk,
                    )
                )
            new = new_depts[nk]
            new.dossier_weight += old.dossier_weight
            new.doc_rate += old.doc_rate
            new.ext_rate += old.ext_rate
            old.valid_to, old.successor = end, new.code
        # communes: merged in groups of 2-4 inside each district; about one in eight stays as is
        n_new = 0
        post_communes: list[Agency] = []
        for district in self.districts(end):
            members = [a for a in self.communes(end) if a.parent_on(end) == district.code]
            i = 0
            groups: list[list[Agency]] = []
            while i < len(members):
                if rng.random() < 0.12 or len(members) - i == 1:
                    groups.append(members[i : i + 1])
                    i += 1
                    continue
                size = min(len(members) - i, rng.choice((2, 3, 3, 4)))
                groups.append(members[i : i + size])
                i += size
            seat: Agency | None = None
            for group in groups:
                if len(group) == 1:
                    kept = group[0]
                    kept.parents.append((r, ubnd.code))
                    target = kept
                else:
                    n_new += 1
                    base = names.NEW_COMMUNES[(n_new - 1) % len(names.NEW_COMMUNES)]
                    if n_new > len(names.NEW_COMMUNES):
                        base = f"{base} {n_new // len(names.NEW_COMMUNES) + 1}"
                    kind = "phường" if district.key in ("TPST", "VC", "NN") else "xã"
                    target = self._add(
                        Agency(
                            f"000.{n_new:02d}.70.{letter}",
                            "XA",
                            f"{33000 + n_new}",
                            r,
                            [(r, f"Ủy ban nhân dân {kind} {base}")],
                            [(r, ubnd.code)],
                            "UBND",
                            key=base,
                        )
                    )
                    for old in group:
                        old.valid_to, old.successor = end, target.code
                        target.dossier_weight += old.dossier_weight
                        target.doc_rate += old.doc_rate
                        target.ext_rate += old.ext_rate
                post_communes.append(target)
                if seat is None:
                    seat = target
            # the district's work moves to its communes; its seat commune is the successor
            mine = [g[0] if len(g) == 1 else self.by_code[g[0].successor] for g in groups]
            for t in mine:
                t.dossier_weight += district.dossier_weight / len(mine)
                t.doc_rate += district.doc_rate / len(mine)
                t.ext_rate += district.ext_rate / len(mine)
            district.valid_to, district.successor = end, seat.code if seat else ubnd.code
        self.dir_changes.add(r)
        # procedures move to the successors; district procedures go to the communes
        commune_codes = tuple(a.code for a in post_communes)
        for p in self.procedures:
            s = p.current()
            if s.cap in ("XA", "HUYEN"):
                p.change(r, agencies=commune_codes, cap="XA")
            else:
                p.change(
                    r,
                    agencies=tuple(
                        self.by_code[c].successor or c if c in self.by_code else c
                        for c in s.agencies
                    ),
                )
        self.cat_changes.add(r)

    # ---------------------------------------------------------------- snapshots
    def directory_on(self, o: int) -> list[dict]:
        """coquan.json for export day o: every agency known by then (ended ones stay listed).
        Cached per directory version: callers must not edit the dicts in place."""
        key = ("coquan", self.directory_version(o))
        hit = self._rows_cache.get(key)
        if hit is None:
            hit = self._rows_cache[key] = self._directory_rows(o)
        return hit

    def _directory_rows(self, o: int) -> list[dict]:
        rows = []
        for a in self.agencies:
            if not a.listed(o):
                continue
            ended = a.valid_to is not None and o > a.valid_to
            rows.append(
                {
                    "MaCoQuan": a.code,
                    "TenCoQuan": a.name_on(o),
                    "Cap": a.cap,
                    "MaCoQuanCha": a.parent_on(o),
                    "MaDonViHanhChinh": a.admin_unit,
                    "HieuLucTu": date.fromordinal(a.valid_from).isoformat(),
                    "HieuLucDen": date.fromordinal(a.valid_to).isoformat() if ended else None,
                    "MaCoQuanKeThua": a.successor if ended else None,
                }
            )
        return rows

    def catalogue_on(self, o: int) -> list[tuple[Procedure, ProcState]]:
        """The procedures listed in thutuc.json on day o (published by then), with their state."""
        out = []
        for p in self.procedures:
            s = p.state_on(o)
            if s is not None:
                out.append((p, s))
        return out

    def thutuc_rows(self, o: int) -> list[dict]:
        """thutuc.json for export day o (cached per catalogue version; do not edit in place)."""
        key = ("thutuc", self.catalogue_version(o), o >= ND42_DATE.toordinal())
        hit = self._rows_cache.get(key)
        if hit is None:
            self._rows_cache = {k: v for k, v in self._rows_cache.items() if k[0] != "thutuc"}
            hit = self._rows_cache[key] = self._thutuc_rows(o)
        return hit

    def _thutuc_rows(self, o: int) -> list[dict]:
        new_levels = o >= ND42_DATE.toordinal()
        rows = []
        for p, s in self.catalogue_on(o):
            rows.append(
                {
                    "MaTTHC": p.code,
                    "TenTTHC": p.name,
                    "MaLinhVuc": p.field_code,
                    "TenLinhVuc": p.field_name,
                    "CapThucHien": s.cap,
                    "CoQuanThucHien": list(s.agencies),
                    "MucDo": MUCDO_NEW[s.level] if new_levels else s.level,
                    "TichHopDVCQG": s.integrated,
                    "CoPhiLePhi": p.fee > 0,
                    "ThanhToanTrucTuyen": s.pay_online,
                    "CoBCCI": s.bcci,
                    "ThoiHanNgay": p.deadline,
                    "HieuLuc": s.in_force,
                    "NgayCongBo": date.fromordinal(p.published).isoformat(),
                }
            )
        return rows

    def directory_version(self, o: int) -> int:
        return bisect_right(self.dir_change_days, o)

    def catalogue_version(self, o: int) -> int:
        return bisect_right(self.cat_change_days, o)

    # ------------------------------------------------------------ draw tables
    def pair_tables(self, o: int) -> tuple[PairTable, PairTable, float]:
        """(offline table, online table, online fraction) of dossier pairs for day o."""
        year = date.fromordinal(o).year
        key = (self.directory_version(o), self.catalogue_version(o), year)
        hit = self._pair_cache.get(key)
        if hit is not None:
            return hit
        trend = ONLINE_TREND.get(year, 0.4 if year < 2019 else 5.5)
        offered = self._offered(o)
        ag_off: list[Agency] = []
        pr_off: list[Procedure] = []
        w_off: list[float] = []
        ag_on: list[Agency] = []
        pr_on: list[Procedure] = []
        w_on: list[float] = []
        for a in self.in_force(o):
            procs = offered.get(a.code)
            if not procs or a.dossier_weight <= 0:
                continue
            total = sum(p.popularity for p in procs)
            for p in procs:
                w = a.dossier_weight * p.popularity / total
                s = p.state_on(o)
                q = min(0.95, p.p_online * trend) if s is not None and s.level >= 3 else 0.0
                if q < 1.0:
                    ag_off.append(a)
                    pr_off.append(p)
                    w_off.append(w * (1.0 - q))
                if q > 0.0:
                    ag_on.append(a)
                    pr_on.append(p)
                    w_on.append(w * q)
        off = PairTable(ag_off, pr_off, list(accumulate(w_off)), sum(w_off))
        on = PairTable(ag_on, pr_on, list(accumulate(w_on)), sum(w_on))
        total = off.total + on.total
        result = (off, on, on.total / total if total else 0.0)
        self._pair_cache = {key: result}  # days run in order: only today's tables are needed
        return result


def _commune_label(raw: str) -> str:
    if raw.startswith("P."):
        rest = raw[2:]
        return f"phường {rest}" if not rest.isdigit() else f"Phường {rest}"
    if raw.startswith("TT."):
        return f"thị trấn {raw[3:]}"
    return f"xã {raw}"


def _draw_deadline(rng: random.Random, cap: str, field_name: str) -> int | None:
    if rng.random() < 0.02:
        return None
    if field_name == "Chứng thực":
        return rng.choice((0, 0, 1, 2))
    if field_name == "Hộ tịch":
        return rng.choice((1, 3, 5, 5, 10))
    if field_name == "Đất đai":
        return rng.choice((10, 15, 20, 30))
    if cap == "XA":
        return rng.choice((1, 2, 3, 5, 7, 10, 15))
    if cap == "HUYEN":
        return rng.choice((3, 5, 7, 10, 15, 20))
    return rng.choice((3, 5, 7, 10, 10, 15, 15, 20, 20, 30, 45))


def _draw_fee(rng: random.Random, field_name: str) -> int:
    if field_name in ("Chứng thực", "Hộ tịch"):
        return rng.choice((2_000, 5_000, 8_000, 10_000))
    if field_name in ("Đất đai", "Hoạt động xây dựng", "Đầu tư tại Việt Nam"):
        return rng.choice((100_000, 150_000, 300_000, 500_000))
    return rng.choice((20_000, 50_000, 100_000, 135_000, 200_000))


def _poisson(rng: random.Random, lam: float) -> int:
    return poisson(rng, lam)


def poisson(rng: random.Random, lam: float) -> int:
    """Poisson draw: Knuth's product method for small means, a rounded normal for large ones."""
    if lam <= 0:
        return 0
    if lam > 40:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k, prod = 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _external_codes() -> list[str]:
    """Agencies outside the province: ministries (G..) and other provinces' agencies (H..)."""
    out = [f"000.00.00.G{n:02d}" for n in (1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 16, 17, 19, 22)]
    for letter in ("H05", "H10", "H17", "H26", "H31", "H41", "H52", "H57", "H58", "H59", "H62"):
        out.append(f"000.00.00.{letter}")
        out.append(f"000.00.{rng_pick(letter):02d}.{letter}")
    return out


def rng_pick(s: str) -> int:
    """A stable small number from a string (no hash(): it is salted per process)."""
    return 2 + sum(ord(c) for c in s) % 17


def ri(rng: random.Random, a: int, b: int) -> int:
    """randint without its overhead (the hot loops draw millions of them)."""
    return a + int(rng.random() * (b - a + 1))


def rr(rng: random.Random, a: int, b: int | None = None) -> int:
    """randrange(a) / randrange(a, b), fast."""
    if b is None:
        return int(rng.random() * a)
    return a + int(rng.random() * (b - a))


class Weighted:
    """A weighted choice with precomputed cumulative weights."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, items, weights) -> None:
        self.items = tuple(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def draw(self, rng: random.Random):
        i = bisect_right(self.cum, rng.random() * self.total)
        return self.items[min(i, len(self.items) - 1)]
