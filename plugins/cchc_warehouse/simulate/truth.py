"""Ground truth: what the warehouse must report, computed from the simulator's own records.

The engine hands every *delivered* record (a published batch, not quarantined; a re-send's
content, not the first send's) to `Truth` as the meaning it carries (the row's `hook`: codes as
interned indexes, dates as day ordinals), never as text. `Truth` keeps only the latest version
per record key (largest NgayCapNhat/ngay_cap_nhat; on a tie the later export day and line, which
is the order records arrive here) in compact arrays, and at the end computes the report marts
under reporting-contract.md and docs/contract-readings.md with numpy:

* `rpt_dossier_resolution.csv`, `rpt_document_exchange.csv`: every (convention, period type,
  period, agency) with period_start <= as_of_date and a non-zero count;
* `rpt_cchc_indicators.csv`: every nd09 report year with activity, province and agency scope.
"""

from __future__ import annotations

import csv
import json
from array import array
from datetime import date
from pathlib import Path

import numpy as np

from cchc_warehouse.simulate.periods import Period, nd09_year, nd09_year_of, periods_overlapping
from cchc_warehouse.simulate.world import World

CHUNK = 1 << 16
BIG = 1 << 30

DOSSIER_COLUMNS = (
    "carried_over",
    "received_online",
    "received_in_person_or_post",
    "received_by_post",
    "received",
    "total_to_handle",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "resolved",
    "withdrawn_or_stopped",
    "pending_within_deadline",
    "pending_overdue",
    "pending",
    "not_accepted",
)
DOCUMENT_COLUMNS = (
    "outgoing",
    "outgoing_electronic",
    "outgoing_parallel",
    "outgoing_paper",
    "outgoing_signed",
    "outgoing_via_axis",
    "incoming",
    "with_deadline",
    "processed_on_time",
    "processed_late",
    "overdue_open",
)
PERIOD_KEYS = (
    "period_convention",
    "period_type",
    "period_label",
    "agency_code",
    "period_start",
    "period_end",
)
INDICATORS = (
    "III.7.1",
    "III.7.2",
    "III.7.3",
    "VII.2.1",
    "VII.2.2",
    "VII.2.3",
    "VII.2.4",
    "VII.3.1",
    "VII.3.2",
    "VII.3.3",
    "VII.3.4",
    "VII.3.5",
    "VII.3.6",
    "VII.3.7",
    "VII.3.8",
    "VII.3.9",
    "VII.9.1",
    "VII.9.2",
    "VII.9.3",
    "VII.9.4",
    "I.7.1",
    "I.7.2",
)
OF_WHICH = {
    "VII.2.2": "VII.2.1",
    "VII.2.3": "VII.2.1",
    "VII.2.4": "VII.2.1",
    "VII.3.2": "VII.3.1",
    "VII.3.4": "VII.3.3",
    "VII.3.7": "VII.3.6",
    "VII.3.9": "VII.3.8",
    "VII.9.2": "VII.9.1",
}
RATES = ("III.7.3", "I.7.2")
INDICATOR_COLUMNS = (
    "report_year",
    "period_start",
    "period_end",
    "scope_code",
    "scope_level",
    "indicator_code",
    "value",
    "numerator",
    "denominator",
)


def _grow(arr: array, n: int, fill: int = 0) -> None:
    if len(arr) <= n:
        arr.extend([fill] * (n + CHUNK - len(arr)))


def _grow_b(arr: bytearray, n: int) -> None:
    if len(arr) <= n:
        arr.extend(bytes(n + CHUNK - len(arr)))


class Truth:
    """Latest delivered state of every record, in arrays indexed by the simulator's serials."""

    def __init__(self, world: World, province_code: str) -> None:
        self.world = world
        self.province_code = province_code
        # dossiers
        self.d_known = bytearray()
        self.d_ncn = array("q")
        self.d_cols = {
            k: array("i")
            for k in (
                "agency",
                "proc",
                "channel",
                "status",
                "sub",
                "acc",
                "due",
                "end",
                "ret",
                "post",
            )
        }
        # register rows (DI and DEN)
        self.r_known = bytearray()
        self.r_ncn = array("q")
        self.r_cols = {
            k: array("i")
            for k in ("kind", "agency", "date", "form", "signed", "axis", "deadline", "first06")
        }
        self.ex_known = bytearray()  # recipients (noinhan)
        self.st_known = bytearray()  # status reports
        self.pay_known = bytearray()
        self.rt_known = bytearray()
        self.rt_cols = {k: array("i") for k in ("dossier", "date", "satisfied")}
        self.portal_days: list[int] = []
        self.delivered: dict[str, list[int]] = {"onestop": [], "docmgmt": [], "portal": []}
        self.appliers = {
            "hoso.jsonl": self.hoso,
            "vanban.csv": self.vanban,
            "noinhan.csv": self.noinhan,
            "trangthai.xml": self.status,
            "thanhtoan.csv": self.payment,
            "danhgia.xlsx": self.rating,
        }

    # ------------------------------------------------------------- accumulate
    def hoso(self, h: tuple) -> None:
        s = h[0]
        if s >= len(self.d_known):
            _grow_b(self.d_known, s)
            _grow(self.d_ncn, s)
            for a in self.d_cols.values():
                _grow(a, s)
        if self.d_known[s] and h[1] < self.d_ncn[s]:
            return  # an older version than the one already delivered
        self.d_known[s] = 1
        self.d_ncn[s] = h[1]
        c = self.d_cols
        (
            c["agency"][s],
            c["proc"][s],
            c["channel"][s],
            c["status"][s],
            c["sub"][s],
            c["acc"][s],
            c["due"][s],
            c["end"][s],
            c["ret"][s],
            c["post"][s],
        ) = h[2:]

    def _grow_r(self, s: int) -> None:
        if s >= len(self.r_known):
            _grow_b(self.r_known, s)
            _grow(self.r_ncn, s)
            for a in self.r_cols.values():
                _grow(a, s)

    def vanban(self, h: tuple) -> None:
        s = h[0]
        self._grow_r(s)
        if self.r_known[s] and h[1] < self.r_ncn[s]:
            return
        self.r_known[s] = 1
        self.r_ncn[s] = h[1]
        c = self.r_cols
        (
            c["kind"][s],
            c["agency"][s],
            c["date"][s],
            c["form"][s],
            c["signed"][s],
            c["axis"][s],
            c["deadline"][s],
        ) = h[2:]

    def noinhan(self, h: tuple) -> None:
        _grow_b(self.ex_known, h[0])
        self.ex_known[h[0]] = 1

    def status(self, h: tuple) -> None:
        serial, code, den, day = h
        _grow_b(self.st_known, serial)
        self.st_known[serial] = 1
        if code == 6 and den >= 0:
            self._grow_r(den)
            f = self.r_cols["first06"]
            if f[den] == 0 or day < f[den]:
                f[den] = day

    def payment(self, h: tuple) -> None:
        _grow_b(self.pay_known, h[0])
        self.pay_known[h[0]] = 1

    def rating(self, h: tuple) -> None:
        s = h[0]
        if s >= len(self.rt_known):
            _grow_b(self.rt_known, s)
            for a in self.rt_cols.values():
                _grow(a, s)
        self.rt_known[s] = 1
        self.rt_cols["dossier"][s], self.rt_cols["date"][s], self.rt_cols["satisfied"][s] = h[1:]

    def delivered_day(self, system: str, o: int) -> None:
        self.delivered[system].append(o)
        if system == "portal":
            self.portal_days.append(o)

    # ---------------------------------------------------------------- compute
    def as_of(self) -> date | None:
        days = [d for ds in self.delivered.values() for d in ds]
        return date.fromordinal(max(days)) if days else None

    def _dossiers(self) -> dict[str, np.ndarray]:
        known = np.frombuffer(bytes(self.d_known), dtype=np.uint8).astype(bool)
        out = {
            k: np.frombuffer(a, dtype=np.int32)[: len(known)][known] for k, a in self.d_cols.items()
        }
        out["serial"] = np.nonzero(known)[0]
        return out

    def _registers(self) -> dict[str, np.ndarray]:
        known = np.frombuffer(bytes(self.r_known), dtype=np.uint8).astype(bool)
        return {
            k: np.frombuffer(a, dtype=np.int32)[: len(known)][known] for k, a in self.r_cols.items()
        }

    def _ratings(self) -> dict[str, np.ndarray]:
        known = np.frombuffer(bytes(self.rt_known), dtype=np.uint8).astype(bool)
        return {
            k: np.frombuffer(a, dtype=np.int32)[: len(known)][known]
            for k, a in self.rt_cols.items()
        }

    def write(self, folder: Path, extra_facts: dict) -> dict:
        """Compute every truth file into `folder`; returns facts.json's content."""
        folder.mkdir(parents=True, exist_ok=True)
        as_of = self.as_of()
        d = self._dossiers()
        r = self._registers()
        rt = self._ratings()
        first = self._first_date(d, r, rt)
        # every code the truth may report on is interned first, so the code table is fixed
        table = self.world.agency_codes
        for a in self.world.agencies:
            table(a.code)
        if as_of and first:
            for y in range(nd09_year_of(first), nd09_year_of(as_of) + 1):
                for proc, state in self._catalogue(nd09_year(y), as_of):
                    self.world.proc_codes(proc.code)
                    for c in state.agencies:
                        table(c.strip().upper())
        codes = list(table.codes)
        periods = periods_overlapping(first, as_of, as_of) if as_of and first else []
        dossier_rows = self.dossier_resolution(d, periods, codes)
        document_rows = self.document_exchange(r, periods, codes)
        indicator_rows = self.indicators(d, r, rt, first, as_of, codes) if as_of and first else []
        _write_csv(
            folder / "rpt_dossier_resolution.csv", PERIOD_KEYS + DOSSIER_COLUMNS, dossier_rows
        )
        _write_csv(
            folder / "rpt_document_exchange.csv", PERIOD_KEYS + DOCUMENT_COLUMNS, document_rows
        )
        _write_csv(folder / "rpt_cchc_indicators.csv", INDICATOR_COLUMNS, indicator_rows)
        accepted = (d["status"] != 1) & (d["status"] != 3) & (d["acc"] > 0)
        portal_last = max(
            (x for x in self.portal_days if as_of and x <= as_of.toordinal()), default=None
        )
        agencies = procedures = agencies_in_force = procedures_in_force = 0
        if portal_last is not None:
            directory = self.world.directory_on(portal_last)
            agencies = len(directory)
            agencies_in_force = sum(1 for a in directory if a["HieuLucDen"] is None)
            cat = self.world.catalogue_on(portal_last)
            procedures = len(cat)
            procedures_in_force = sum(1 for _, s in cat if s.in_force)
        facts = {
            "as_of_date": as_of.isoformat() if as_of else None,
            "province_code": self.province_code,
            "totals": {
                "dossiers": int(len(d["status"])),
                "dossiers_received": int(accepted.sum()),
                "dossiers_not_accepted": int((d["status"] == 3).sum()),
                "dossiers_accepted_without_acceptance_date": int(
                    ((d["status"] != 1) & (d["status"] != 3) & (d["acc"] == 0)).sum()
                ),
                "documents_outgoing": int((r["kind"] == 0).sum()),
                "documents_incoming": int((r["kind"] == 1).sum()),
                "exchanges": int(sum(self.ex_known)),
                "status_reports": int(sum(self.st_known)),
                "payments": int(sum(self.pay_known)),
                "ratings": int(len(rt["date"])),
                "agencies": agencies,
                "agencies_in_force": agencies_in_force,
                "procedures": procedures,
                "procedures_in_force": procedures_in_force,
            },
            "truth_rows": {
                "rpt_dossier_resolution": len(dossier_rows),
                "rpt_document_exchange": len(document_rows),
                "rpt_cchc_indicators": len(indicator_rows),
            },
            **extra_facts,
        }
        (folder / "facts.json").write_text(
            json.dumps(facts, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        return facts

    def _first_date(self, d: dict, r: dict, rt: dict) -> date | None:
        candidates = []
        accepted = (d["status"] != 1) & (d["status"] != 3) & (d["acc"] > 0)
        if accepted.any():
            candidates.append(int(d["acc"][accepted].min()))
        na = d["status"] == 3
        if na.any():
            candidates.append(int(d["sub"][na].min()))
        if len(r["date"]):
            candidates.append(int(r["date"].min()))
            dl = r["deadline"][r["deadline"] > 0]
            if len(dl):
                candidates.append(int(dl.min()))
        if len(rt["date"]):
            candidates.append(int(rt["date"].min()))
        return date.fromordinal(min(candidates)) if candidates else None

    # --------------------------------------------------------------- dossiers
    def dossier_resolution(self, d: dict, periods: list[Period], codes: list[str]) -> list[dict]:
        n = len(codes)
        st, ch, acc, due, end, sub, ag = (
            d[k] for k in ("status", "channel", "acc", "due", "end", "sub", "agency")
        )
        accepted = (st != 1) & (st != 3) & (acc > 0)
        # period membership uses greatest(ended, accepted): a clock error cannot break the identity
        end_eff = np.where(end > 0, np.maximum(end, acc), BIG)
        stopped = (st == 7) | (st == 8)
        early_c = (due > 0) & (end < due)
        late_c = (due > 0) & (end > due)
        ontime_c = ~early_c & ~late_c
        not_acc = st == 3
        rows = []
        for p in periods:
            ps, pe = p.start.toordinal(), p.end.toordinal()
            carried = accepted & (acc < ps) & (end_eff >= ps)
            recv = accepted & (acc >= ps) & (acc <= pe)
            ended = accepted & (end_eff >= ps) & (end_eff <= pe)
            wd = ended & stopped
            res = ended & ~stopped
            pend = accepted & (acc <= pe) & (end_eff > pe)
            pend_in = pend & ((due == 0) | (due >= pe))
            na = not_acc & (sub >= ps) & (sub <= pe)

            def bc(mask: np.ndarray) -> np.ndarray:
                return np.bincount(ag[mask], minlength=n)

            cols = {
                "carried_over": bc(carried),
                "received_online": bc(recv & (ch == 2)),
                "received_in_person_or_post": bc(recv & ((ch == 1) | (ch == 3))),
                "received_by_post": bc(recv & (ch == 3)),
                "received": bc(recv),
                "resolved_early": bc(res & early_c),
                "resolved_on_time": bc(res & ontime_c),
                "resolved_late": bc(res & late_c),
                "resolved": bc(res),
                "withdrawn_or_stopped": bc(wd),
                "pending_within_deadline": bc(pend_in),
                "pending_overdue": bc(pend & ~pend_in),
                "pending": bc(pend),
                "not_accepted": bc(na),
            }
            cols["total_to_handle"] = cols["carried_over"] + cols["received"]
            rows.extend(_period_rows(p, codes, cols, DOSSIER_COLUMNS))
        return rows

    # -------------------------------------------------------------- documents
    def document_exchange(self, r: dict, periods: list[Period], codes: list[str]) -> list[dict]:
        n = len(codes)
        kind, ag, day, form = r["kind"], r["agency"], r["date"], r["form"]
        signed, axis, deadline, f06 = r["signed"], r["axis"], r["deadline"], r["first06"]
        di = kind == 0
        den = kind == 1
        has_dl = den & (deadline > 0)
        rows = []
        for p in periods:
            ps, pe = p.start.toordinal(), p.end.toordinal()
            out_p = di & (day >= ps) & (day <= pe)
            in_p = den & (day >= ps) & (day <= pe)
            dl = has_dl & (deadline >= ps) & (deadline <= pe)
            done = f06 > 0

            def bc(mask: np.ndarray) -> np.ndarray:
                return np.bincount(ag[mask], minlength=n)

            cols = {
                "outgoing": bc(out_p),
                "outgoing_electronic": bc(out_p & (form == 0)),
                "outgoing_parallel": bc(out_p & (form == 1)),
                "outgoing_paper": bc(out_p & (form == 2)),
                "outgoing_signed": bc(out_p & (signed == 1)),
                "outgoing_via_axis": bc(out_p & (axis == 1)),
                "incoming": bc(in_p),
                "with_deadline": bc(dl),
                "processed_on_time": bc(dl & done & (f06 <= deadline)),
                "processed_late": bc(dl & done & (f06 > deadline) & (f06 <= pe)),
                "overdue_open": bc(dl & (~done | (f06 > pe))),
            }
            rows.extend(_period_rows(p, codes, cols, DOCUMENT_COLUMNS))
        return rows

    # ------------------------------------------------------------- indicators
    def indicators(
        self, d: dict, r: dict, rt: dict, first: date, as_of: date, codes: list[str]
    ) -> list[dict]:
        rows: list[dict] = []
        for y in range(nd09_year_of(first), nd09_year_of(as_of) + 1):
            p = nd09_year(y)
            if p.start > as_of:
                continue
            rows.extend(self._year(y, p, d, r, rt, as_of, codes))
        return rows

    def _catalogue(self, p: Period, as_of: date) -> list:
        limit = min(p.end, as_of).toordinal()
        day = max((x for x in self.portal_days if x <= limit), default=None)
        if day is None:
            return []
        return [(proc, s) for proc, s in self.world.catalogue_on(day) if s.in_force]

    def _year(
        self, y: int, p: Period, d: dict, r: dict, rt: dict, as_of: date, codes: list[str]
    ) -> list[dict]:
        n = len(codes)
        ps, pe = p.start.toordinal(), p.end.toordinal()
        st, ch, acc, due, end, ag, proc, ret, post = (
            d[k]
            for k in ("status", "channel", "acc", "due", "end", "agency", "proc", "ret", "post")
        )
        accepted = (st != 1) & (st != 3) & (acc > 0)
        rec = accepted & (acc >= ps) & (acc <= pe)
        returned = (ret >= ps) & (ret <= pe)
        end_eff = np.where(end > 0, np.maximum(end, acc), BIG)
        resolved = accepted & (end_eff >= ps) & (end_eff <= pe) & (st != 7) & (st != 8)
        on_time = resolved & ((due == 0) | (end <= due))
        catalogue = self._catalogue(p, as_of)
        proc_codes = self.world.proc_codes
        level = np.zeros(len(proc_codes.codes), dtype=np.int8)
        for pr, s in catalogue:
            level[proc_codes.index[pr.code]] = s.level
        proc_level = level[proc]
        l34 = rec & (proc_level >= 3)

        def bc(mask: np.ndarray, idx: np.ndarray = ag) -> np.ndarray:
            return np.bincount(idx[mask], minlength=n)[:n] if len(idx) else np.zeros(n, int)

        counts: dict[str, np.ndarray] = {
            "III.7.1": bc(rec),
            "III.7.2": bc(returned),
            "VII.3.6": bc(l34),
            "VII.3.7": bc(l34 & (ch == 2)),
            "VII.9.3": bc(rec & (ch == 3)),
            "VII.9.4": bc(returned & (post == 1)),
        }
        res_n, res_on = bc(resolved), bc(on_time)
        # documents: outgoing DI rows of the year by sender and form
        di = (r["kind"] == 0) & (r["date"] >= ps) & (r["date"] <= pe)
        counts["VII.2.1"] = bc(di, r["agency"])
        for code, f in (("VII.2.2", 0), ("VII.2.3", 1), ("VII.2.4", 2)):
            counts[code] = bc(di & (r["form"] == f), r["agency"])
        # ratings: the rated dossier's agency when the warehouse knows the dossier
        rated = (rt["date"] >= ps) & (rt["date"] <= pe)
        agency_of = np.full(int(d["serial"].max()) + 1 if len(d["serial"]) else 1, -1, np.int64)
        agency_of[d["serial"]] = ag
        rt_serial = rt["dossier"][rated]
        inside = rt_serial < len(agency_of)
        rt_agency = np.full(len(rt_serial), -1, dtype=np.int64)
        rt_agency[inside] = agency_of[rt_serial[inside]]
        rt_sat = rt["satisfied"][rated]
        known_rt = rt_agency >= 0
        counts["I.7.1"] = np.bincount(rt_agency[known_rt], minlength=n)[:n]
        rt_sat_n = np.bincount(rt_agency[known_rt], weights=rt_sat[known_rt], minlength=n)[:n]
        # catalogue: per agency (CoQuanThucHien lists it) and distinct at province scope
        online_pairs = set(
            zip(ag[rec & (ch == 2)].tolist(), proc[rec & (ch == 2)].tolist(), strict=True)
        )
        post_mask = (rec & (ch == 3)) | (returned & (post == 1))
        post_pairs = set(zip(ag[post_mask].tolist(), proc[post_mask].tolist(), strict=True))
        online_procs = {pr for _, pr in online_pairs}
        post_procs = {pr for _, pr in post_pairs}
        cat_keys = (
            "VII.3.1",
            "VII.3.2",
            "VII.3.3",
            "VII.3.4",
            "VII.3.5",
            "VII.3.8",
            "VII.3.9",
            "VII.9.1",
            "VII.9.2",
        )
        agency_cat = {k: np.zeros(n, dtype=np.int64) for k in cat_keys}
        prov_cat = dict.fromkeys(cat_keys, 0)
        agency_idx = self.world.agency_codes
        for pr, s in catalogue:
            pi = proc_codes.index[pr.code]
            flags = {
                "VII.3.1": s.level == 3,
                "VII.3.3": s.level == 4,
                "VII.3.5": s.integrated,
                "VII.3.8": pr.fee > 0,
                "VII.3.9": pr.fee > 0 and s.pay_online,
                "VII.9.1": s.bcci,
            }
            for k, v in flags.items():
                prov_cat[k] += int(v)
            prov_cat["VII.3.2"] += int(s.level == 3 and pi in online_procs)
            prov_cat["VII.3.4"] += int(s.level == 4 and pi in online_procs)
            prov_cat["VII.9.2"] += int(s.bcci and pi in post_procs)
            for code in dict.fromkeys(c.strip().upper() for c in s.agencies):
                ai = agency_idx.index[code]
                for k, v in flags.items():
                    agency_cat[k][ai] += int(v)
                agency_cat["VII.3.2"][ai] += int(s.level == 3 and (ai, pi) in online_pairs)
                agency_cat["VII.3.4"][ai] += int(s.level == 4 and (ai, pi) in online_pairs)
                agency_cat["VII.9.2"][ai] += int(s.bcci and (ai, pi) in post_pairs)
        counts.update(agency_cat)
        rows = []
        start, end_s = p.start.isoformat(), p.end.isoformat()

        def emit(scope: str, level_name: str, vals: dict, rates: dict) -> None:
            for code in INDICATORS:
                value = numerator = denominator = None
                if code in rates:
                    numerator, denominator = rates[code]
                    value = 100.0 * numerator / denominator if denominator else None
                else:
                    value = vals[code]
                    if code in OF_WHICH:
                        numerator, denominator = value, vals[OF_WHICH[code]]
                rows.append(
                    {
                        "report_year": y,
                        "period_start": start,
                        "period_end": end_s,
                        "scope_code": scope,
                        "scope_level": level_name,
                        "indicator_code": code,
                        "value": value,
                        "numerator": numerator,
                        "denominator": denominator,
                    }
                )

        prov_vals = {k: int(v.sum()) for k, v in counts.items() if k not in cat_keys}
        prov_vals.update(prov_cat)
        prov_vals["I.7.1"] = int(len(rt_agency))  # unknown dossiers count at province scope
        prov_rates = {
            "III.7.3": (int(res_on.sum()), int(res_n.sum())),
            "I.7.2": (int(rt_sat.sum()), int(len(rt_sat))),
        }
        if not any(prov_vals.values()) and not any(den for _, den in prov_rates.values()):
            return []
        emit(self.province_code, "province", prov_vals, prov_rates)
        for i, code in sorted(enumerate(codes), key=lambda t: t[1]):
            vals = {k: int(v[i]) for k, v in counts.items()}
            rates = {
                "III.7.3": (int(res_on[i]), int(res_n[i])),
                "I.7.2": (int(rt_sat_n[i]), int(counts["I.7.1"][i])),
            }
            if any(vals.values()) or any(den for _, den in rates.values()):
                emit(code, "agency", vals, rates)
        return rows


def _period_rows(
    p: Period, codes: list[str], cols: dict[str, np.ndarray], order: tuple[str, ...]
) -> list[dict]:
    stacked = np.vstack([cols[c][: len(codes)] for c in order])
    nonzero = np.nonzero(stacked.any(axis=0))[0]
    rows = []
    for i in sorted(nonzero.tolist(), key=lambda i: codes[i]):
        row = {
            "period_convention": p.convention,
            "period_type": p.period_type,
            "period_label": p.label,
            "agency_code": codes[i],
            "period_start": p.start.isoformat(),
            "period_end": p.end.isoformat(),
        }
        for j, c in enumerate(order):
            row[c] = int(stacked[j, i])
        rows.append(row)
    return rows


def _fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([_fmt(row[c]) for c in columns])
