"""The day loop: simulate, inject defects, render, write the landing folder and the truth.

Days before `start` warm the simulation up (dossiers and documents already open at `start`) and
are not written. From `start` on, each day's rows are rendered per system, the day's fate is
applied (missing, late, re-sent, broken), the folders are written with manifest.json last, and the
delivered records are handed to the ground truth. Nothing of a day is kept once it is written
except yesterday's rows (for cross-day duplicates).
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from cchc_warehouse.simulate.clock import WorkCalendar
from cchc_warehouse.simulate.defects import (
    SCHEMA_BREAK,
    DefectPlan,
    FileOut,
    Injector,
    StateDefects,
    parse_defects,
)
from cchc_warehouse.simulate.documents import DocumentSim
from cchc_warehouse.simulate.dossiers import DossierSim
from cchc_warehouse.simulate.rhythm import Rhythm
from cchc_warehouse.simulate.schema import ALL_FILES, SYSTEMS
from cchc_warehouse.simulate.truth import Truth
from cchc_warehouse.simulate.world import (
    ND42_DATE,
    PROVINCE_CODE,
    REORG_DATE,
    SCALES,
    World,
    rng_for,
)
from cchc_warehouse.simulate.writers import (
    OutRow,
    Rendered,
    manifest,
    render_csv,
    render_json_array,
    render_jsonl,
    render_xlsx,
    render_xml,
    sha256,
    write_day,
)

log = logging.getLogger(__name__)

WARMUP_DAYS = 75
FIRST_SEND = "_first_send"
TRUTH = "_truth"
MAIN_FILE = {"onestop": "hoso.jsonl", "docmgmt": "vanban.csv", "portal": "thanhtoan.csv"}


@dataclass
class Ledger:
    """What was written and injected: becomes defects.json and part of facts.json. Defect
    instances (hundreds of thousands in a province year) go straight to a spool file."""

    spool: Path
    instances: int = 0
    by_class: Counter = field(default_factory=Counter)
    failed: list[dict] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)
    late: list[dict] = field(default_factory=list)
    resent: list[dict] = field(default_factory=list)
    quarantine: list[dict] = field(default_factory=list)
    landing_records: dict[str, int] = field(default_factory=dict)
    published_records: dict[str, int] = field(default_factory=dict)
    quarantined_records: dict[str, int] = field(default_factory=dict)
    first_send_records: dict[str, int] = field(default_factory=dict)
    bytes_written: int = 0
    folders: int = 0


def generate(
    out: Path,
    start: date,
    end: date,
    *,
    seed: int = 1,
    scale: str = "small",
    defects: str | Iterable[str] = "all",
    progress: bool = False,
    reorganise_on: date | None = REORG_DATE,
    warmup_days: int = WARMUP_DAYS,
) -> dict:
    """Write a landing folder `out/<system>/<YYYY-MM-DD>/` for every export day in [start, end],
    first sends of re-sent days under `out/_first_send/`, and the ground truth under
    `out/_truth/`. Deterministic: the same arguments give byte-identical output.

    `reorganise_on`: the day the 2025 reorganisation takes effect (NQ 202/2025/QH15); it shows
    only when the range reaches it; None never reorganises. Returns a summary.
    """
    t0 = time.perf_counter()
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    enabled = parse_defects(defects)
    out = Path(out)
    for sub in (*SYSTEMS, FIRST_SEND, TRUTH):
        if (out / sub).exists():
            shutil.rmtree(out / sub)  # only the folders this generator owns
    out.mkdir(parents=True, exist_ok=True)

    cal = WorkCalendar()
    rhythm = Rhythm(cal)
    warm_start = start - timedelta(days=warmup_days)
    world = World(SCALES[scale], seed, warm_start, end, reorganise_on, cal)
    plan = DefectPlan(seed, enabled, start, end, cal)
    dossiers = DossierSim(world, cal, rhythm, seed, StateDefects(seed, enabled, plan, "onestop"))
    documents = DocumentSim(world, cal, rhythm, seed, StateDefects(seed, enabled, plan, "docmgmt"))
    injector = Injector(seed, enabled, plan)
    truth = Truth(world, PROVINCE_CODE)
    truth_dir = out / TRUTH
    truth_dir.mkdir(parents=True)
    ledger = Ledger(truth_dir / ".instances.jsonl")
    exporter = _Exporter(out, seed, world, plan, injector, truth, ledger)
    log.info(
        "generating %s scale, %s..%s (warm-up from %s), seed %d, defects: %s",
        scale,
        start,
        end,
        warm_start,
        seed,
        ", ".join(sorted(enabled)) or "none",
    )

    bar = _progress(progress, (end - warm_start).days + 1)
    month_key = None
    for o in range(warm_start.toordinal(), end.toordinal() + 1):
        day = date.fromordinal(o)
        onestop = dossiers.step(o)
        docmgmt = documents.step(o)
        if bar is not None:
            bar.advance()
        if o < start.toordinal():
            continue
        portal = {
            "coquan.json": world.directory_on(o),
            "thutuc.json": world.thutuc_rows(o),
            "thanhtoan.csv": onestop.pop("thanhtoan.csv"),
            "danhgia.xlsx": onestop.pop("danhgia.xlsx"),
        }
        exporter.export("onestop", o, onestop)
        exporter.export("docmgmt", o, docmgmt)
        exporter.export("portal", o, portal)
        if progress and (day.year, day.month) != month_key:
            month_key = (day.year, day.month)
            log.info(
                "%s: %d dossiers created so far, %d open; %d register rows; %.1f MB written",
                day.strftime("%Y-%m"),
                dossiers.created,
                dossiers.open,
                documents.row_serials,
                ledger.bytes_written / 1e6,
            )
    if bar is not None:
        bar.stop()

    exporter.close()
    files = {
        f.name: {
            "system": f.system,
            "landing_records": ledger.landing_records.get(f.name, 0),
            "published_records": ledger.published_records.get(f.name, 0),
            "expected_quarantined": ledger.quarantined_records.get(f.name, 0),
            "expected_raw_rows": ledger.published_records.get(f.name, 0)
            - ledger.quarantined_records.get(f.name, 0),
            "first_send_records": ledger.first_send_records.get(f.name, 0),
        }
        for f in ALL_FILES
    }
    facts = truth.write(
        truth_dir,
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "seed": seed,
            "scale": scale,
            "defects": sorted(enabled),
            "warmup_start": warm_start.isoformat(),
            "reorganised_on": date.fromordinal(world.reorg).isoformat() if world.reorg else None,
            "simulated": {
                "dossiers_created": dossiers.created,
                "register_rows": documents.row_serials,
                "exchanges": documents.exchange_serials,
                "status_reports": documents.status_serials,
                "payments": dossiers.pay_serials,
                "ratings": dossiers.rating_serials,
            },
            "files": files,
        },
    )
    _write_defects(truth_dir / "defects.json", seed, enabled, ledger)
    elapsed = time.perf_counter() - t0
    summary = {
        "out": str(out),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "seed": seed,
        "scale": scale,
        "defects": sorted(enabled),
        "as_of_date": facts["as_of_date"],
        "export_days": (end - start).days + 1,
        "folders": ledger.folders,
        "bytes_written": ledger.bytes_written,
        "records": {k: v["landing_records"] for k, v in files.items()},
        "totals": facts["totals"],
        "defect_instances": ledger.instances,
        "defect_instances_by_class": dict(sorted(ledger.by_class.items())),
        "failed_days": len(ledger.failed),
        "missing_days": len(ledger.missing),
        "seconds": round(elapsed, 2),
    }
    log.info(
        "wrote %d folders, %.1f MB, %d dossiers, %d documents in %.1f s; truth in %s",
        ledger.folders,
        ledger.bytes_written / 1e6,
        facts["totals"]["dossiers"],
        facts["totals"]["documents_outgoing"],
        elapsed,
        truth_dir,
    )
    return summary


def _write_defects(path: Path, seed: int, enabled: frozenset[str], ledger: Ledger) -> None:
    """defects.json, streaming the spooled instances into it."""

    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    with path.open("w", encoding="utf-8") as f:
        f.write(f'{{"seed": {seed},\n"enabled": {dump(sorted(enabled))},\n"instances": [\n')
        with ledger.spool.open(encoding="utf-8") as spool:
            for i, line in enumerate(spool):
                f.write((",\n" if i else "") + line.rstrip("\n"))
        f.write("\n],\n")
        for key, value in (
            ("failed_days", ledger.failed),
            ("missing_days", ledger.missing),
            ("late_days", ledger.late),
            ("resent_days", ledger.resent),
        ):
            f.write(f'"{key}": {dump(value)},\n')
        f.write('"expected_quarantine": [\n')
        f.write(",\n".join(dump(q) for q in ledger.quarantine))
        f.write("\n]}\n")
    ledger.spool.unlink()


def _progress(enabled: bool, total: int):
    if not enabled:
        return None
    from rich.progress import Progress

    class _Bar:
        def __init__(self) -> None:
            self.p = Progress(transient=True)
            self.task = self.p.add_task("simulating days", total=total)
            self.p.start()

        def advance(self) -> None:
            self.p.advance(self.task)

        def stop(self) -> None:
            self.p.stop()

    return _Bar()


class _Exporter:
    """Renders and writes one system-day according to its fate; feeds truth and ledger."""

    def __init__(
        self,
        out: Path,
        seed: int,
        world: World,
        plan: DefectPlan,
        injector: Injector,
        truth: Truth,
        ledger: Ledger,
    ) -> None:
        self.out = out
        self.seed = seed
        self.world = world
        self.plan = plan
        self.injector = injector
        self.truth = truth
        self.ledger = ledger
        self._snapshot_cache: dict[tuple, bytes] = {}
        self._spool = ledger.spool.open("w", encoding="utf-8")

    def close(self) -> None:
        self._spool.close()

    def export(self, system: str, o: int, rows: dict[str, list]) -> None:
        """Write one system-day as its fate says; hand what is delivered to the truth."""
        fate = self.plan.fate(system, o)
        day = date.fromordinal(o)
        iso = day.isoformat()
        if fate.kind == "missing":
            self.injector.remember(system, o, rows)
            self.ledger.missing.append({"system": system, "export_date": iso})
            self._instance(
                "missing_day", system, iso, None, None, "the export never arrives", "missing"
            )
            return
        fos = self.injector.day(system, o, rows, inject=fate.kind != "broken_final")
        rng = rng_for(self.seed, "send", system, o)
        stamp = datetime(day.year, day.month, day.day) + timedelta(
            days=1, hours=1, seconds=rng.randrange(5400)
        )
        good = [self._render(fo, o, stamp) for fo in fos]
        landing, landing_stamp, landing_override = good, stamp, {}
        first: list[Rendered] | None = None
        first_override: dict[str, dict] = {}
        if fate.kind in ("broken", "broken_final"):
            broken, override, target, line, detail = self._break(fate.cls, fos, good, o, stamp, rng)
            if fate.kind == "broken_final":
                landing, landing_override = broken, override
                self.ledger.failed.append(
                    {"system": system, "export_date": iso, "class": fate.cls, "file": target}
                )
                self._instance(
                    fate.cls, system, iso, target, line, f"{detail}; never re-sent", "fail_day"
                )
            else:
                first, first_override = broken, override
                landing_stamp = stamp + timedelta(days=rng.randint(1, 3), hours=rng.randint(1, 9))
                self._resent(system, iso, fate.cls)
                detail += f"; kept under {FIRST_SEND}/, the landing holds the corrected re-send"
                self._instance(fate.cls, system, iso, target, line, detail, "resend")
        elif fate.kind == "resend":
            first, detail = self._partial(system, fos, o, stamp, rng)
            landing_stamp = stamp + timedelta(hours=rng.randint(6, 30))
            self._resent(system, iso, "resend")
            self._instance("resend", system, iso, None, None, detail, "resend")
        elif fate.kind == "late":
            after = date.fromordinal(fate.arrives_after)
            landing_stamp = datetime(after.year, after.month, after.day) + timedelta(
                days=1, hours=3, seconds=rng.randrange(7200)
            )
            self.ledger.late.append(
                {"system": system, "export_date": iso, "arrives_after": after.isoformat()}
            )
            detail = f"arrives after the export of {after.isoformat()}"
            self._instance("late", system, iso, None, None, detail, "late")
        if first is not None:
            folder = self.out / FIRST_SEND / system / iso
            self._write(folder, system, day, stamp, first, first_override, count=False)
            for r in first:
                counts = self.ledger.first_send_records
                counts[r.name] = counts.get(r.name, 0) + r.rows
        self._write(self.out / system / iso, system, day, landing_stamp, landing, landing_override)
        if fate.delivered:
            self._deliver(system, o, iso, fos)

    def _resent(self, system: str, iso: str, cls: str) -> None:
        self.ledger.resent.append(
            {
                "system": system,
                "export_date": iso,
                "class": cls,
                "first_send": f"{FIRST_SEND}/{system}/{iso}",
            }
        )

    # --------------------------------------------------------------- delivery
    def _deliver(self, system: str, o: int, iso: str, fos: list[FileOut]) -> None:
        truth, ledger = self.truth, self.ledger
        for fo in fos:
            name = fo.fd.name
            apply = truth.appliers.get(name)
            quarantined = 0
            for line, r in enumerate(fo.rows, start=1):
                if r.corrupt is not None:
                    quarantined += 1
                elif apply is not None and r.hook is not None:
                    apply(r.hook)
                if r.notes:
                    for cls, detail, expect in r.notes:
                        self._instance(cls, system, iso, name, line, detail, expect)
            for cls, detail, expect in fo.notes:
                self._instance(cls, system, iso, name, None, detail, expect)
            ledger.published_records[name] = ledger.published_records.get(name, 0) + len(fo.rows)
            if quarantined:
                ledger.quarantined_records[name] = (
                    ledger.quarantined_records.get(name, 0) + quarantined
                )
                ledger.quarantine.append(
                    {"system": system, "export_date": iso, "file": name, "count": quarantined}
                )
        truth.delivered_day(system, o)

    def _instance(
        self,
        cls: str,
        system: str,
        iso: str,
        file: str | None,
        line: int | None,
        detail: str,
        expect: str,
    ) -> None:
        record = {
            "class": cls,
            "system": system,
            "export_date": iso,
            "file": file,
            "line": line,
            "detail": detail,
            "expect": expect,
        }
        self._spool.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.ledger.instances += 1
        self.ledger.by_class[cls] += 1

    # -------------------------------------------------------------- rendering
    def _render(self, fo: FileOut, o: int, stamp: datetime, cache: bool = True) -> Rendered:
        fd = fo.fd
        if fd.format == "jsonl":
            data = render_jsonl(fd, fo.columns, fo.rows)
        elif fd.format == "csv":
            data = render_csv(fd, fo.columns, fo.rows, cp1258=fo.cp1258)
        elif fd.format == "xml":
            data = render_xml(date.fromordinal(o).isoformat(), fo.rows, fo.columns)
        elif fd.format == "json":
            data = (
                self._snapshot_bytes(fo, o)
                if cache
                else render_json_array([r.values for r in fo.rows])
            )
        else:
            data = render_xlsx(fo.columns, fo.rows, stamp)
        encoding = "binary" if fd.format == "xlsx" else fo.declared
        return Rendered(fd.name, data, len(fo.rows), encoding)

    def _snapshot_bytes(self, fo: FileOut, o: int) -> bytes:
        """Snapshots change rarely: cache their bytes unless a defect touched them today."""
        touched = bool(fo.notes) or any(r.notes for r in fo.rows)
        w = self.world
        version = w.directory_version(o) if fo.fd.name == "coquan.json" else w.catalogue_version(o)
        key = (
            fo.fd.name,
            version,
            o >= ND42_DATE.toordinal(),
            fo.columns,
            o >= self.plan.drift.get(fo.fd.name, 1 << 30),
        )
        if not touched and key in self._snapshot_cache:
            return self._snapshot_cache[key]
        data = render_json_array([r.values for r in fo.rows])
        if not touched:
            self._snapshot_cache = {
                k: v for k, v in self._snapshot_cache.items() if k[0] != fo.fd.name
            }
            self._snapshot_cache[key] = data
        return data

    def _write(
        self,
        folder: Path,
        system: str,
        day: date,
        stamp: datetime,
        rendered: list[Rendered],
        override: dict[str, dict],
        count: bool = True,
    ) -> None:
        entries = []
        for r in rendered:
            entry = {
                "name": r.name,
                "rows": r.rows,
                "sha256": sha256(r.data),
                "encoding": r.encoding,
            }
            entry.update(override.get(r.name, {}))
            entries.append(entry)
            if count:
                self.ledger.landing_records[r.name] = (
                    self.ledger.landing_records.get(r.name, 0) + r.rows
                )
        data = manifest(system, day, PROVINCE_CODE, stamp, entries)
        self.ledger.bytes_written += write_day(folder, [(r.name, r.data) for r in rendered], data)
        self.ledger.folders += 1

    # --------------------------------------------------------------- breakage
    def _break(
        self, cls: str, fos: list[FileOut], good: list[Rendered], o: int, stamp: datetime, rng
    ) -> tuple[list[Rendered], dict[str, dict], str, int | None, str]:
        """A broken send of the day: (files, manifest overrides, target file, line, detail)."""
        data_files = [r for r in good if not r.name.endswith(".json")]
        target = max(data_files or good, key=lambda r: r.rows)
        if cls == "truncated" and target.rows == 0:
            cls = "manifest_mismatch"  # nothing to cut: the same day breaks the other way
        if cls == "schema_break":
            candidates = [
                fo
                for fo in fos
                if fo.fd.name in SCHEMA_BREAK and (fo.fd.format == "csv" or fo.rows)
            ]
            fo = candidates[rng.randrange(len(candidates))]
            old, new = SCHEMA_BREAK[fo.fd.name]
            if fo.fd.format == "json":
                rows = [
                    OutRow({(new if k == old else k): v for k, v in r.values.items()})
                    for r in fo.rows
                ]
                broken_fo = FileOut(fo.fd, fo.columns, rows, fo.cp1258, fo.declared)
            else:
                cols = tuple(new if c == old else c for c in fo.columns)
                broken_fo = FileOut(fo.fd, cols, fo.rows, fo.cp1258, fo.declared)
            broken = self._render(broken_fo, o, stamp, cache=False)
            files = [broken if r.name == fo.fd.name else r for r in good]
            return (
                files,
                {},
                fo.fd.name,
                None,
                f"required field {old} renamed to {new} in {fo.fd.name}",
            )
        if cls == "truncated":
            cut = _truncate(target)
            files = [cut if r.name == target.name else r for r in good]
            # the exporter hashed what it wrote, but declared the rows it meant to write
            return (
                files,
                {target.name: {"rows": target.rows}},
                target.name,
                target.rows,
                f"{target.name} cut short inside its last record (line {target.rows})",
            )
        # manifest_mismatch
        if rng.random() < 0.5 or target.rows == 0:
            declared = target.rows + rng.choice((1, 2, 3))
            return (
                good,
                {target.name: {"rows": declared}},
                target.name,
                None,
                f"manifest declares {declared} rows, {target.name} has {target.rows}",
            )
        wrong = sha256(target.data + b"\n")
        return (
            good,
            {target.name: {"sha256": wrong}},
            target.name,
            None,
            f"manifest sha256 of {target.name} does not match the file",
        )

    def _partial(
        self, system: str, fos: list[FileOut], o: int, stamp: datetime, rng
    ) -> tuple[list[Rendered], str]:
        """A first send that was incomplete and carried test records the re-send dropped."""
        parts = []
        phantoms = 0
        kept_total = dropped_total = 0
        for fo in fos:
            if fo.fd.snapshot:
                parts.append(self._render(fo, o, stamp))
                continue
            keep = int(len(fo.rows) * rng.uniform(0.6, 0.95))
            rows = fo.rows[:keep]
            kept_total += keep
            dropped_total += len(fo.rows) - keep
            if fo.fd.name == MAIN_FILE[system] and fo.rows:
                src = fo.rows[rng.randrange(len(fo.rows))]
                values = list(src.values)
                values[0] = _phantom_key(str(values[0]))
                rows = [*rows, OutRow(values)]
                phantoms += 1
            parts.append(
                self._render(FileOut(fo.fd, fo.columns, rows, fo.cp1258, fo.declared), o, stamp)
            )
        detail = (
            f"first send incomplete ({kept_total} of {kept_total + dropped_total} records) with "
            f"{phantoms} test record(s) the re-send dropped; kept under {FIRST_SEND}/, the "
            "landing holds the re-send (which replaces it, never adds to it)"
        )
        return parts, detail


def _phantom_key(key: str) -> str:
    """A key no real record has: the counter part replaced by a 9xxx test number."""
    head, _, tail = key.rpartition("-")
    if head and tail.isdigit():
        return f"{head}-9{tail[-3:]}"
    return f"{key}-TEST"


def _truncate(r: Rendered) -> Rendered:
    data = r.data
    name = r.name
    if name.endswith(".xlsx") or name.endswith(".json"):
        cut = data[: int(len(data) * 0.6)]
    else:
        body = data.rstrip(b"\r\n")
        start = body.rfind(b"\n") + 1
        last = body[start:]
        if name.endswith(".csv"):
            comma = last.find(b",")
            cut = body[: start + max(1, comma)]  # the last row keeps only its first field
        elif name.endswith(".xml"):
            at = data.rfind(b"<ThoiDiem>")
            cut = data[: at if at > 0 else len(data) // 2]
        else:
            p = start + max(1, len(last) // 2)
            while p > start + 1 and 0x80 <= body[p] < 0xC0:
                p -= 1  # never inside a UTF-8 sequence: the line must read as cut, not as garbage
            cut = body[:p]
    return Rendered(r.name, cut, r.rows, r.encoding)
