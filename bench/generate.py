"""Simulated landing data for the benchmark: the plan of stages (years) and nights, the disk
check, and generation (reused with --keep when the same range was generated before)."""

from __future__ import annotations

import functools
import json
import shutil
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

SEED = 2021
#: bytes per generated province year (docs/simulator.md: 3.1 GB) and per loaded year in the
#: warehouse (raw + staging + marts); rough, for the disk check only
LANDING_BYTES_PER_YEAR = {"province": 3.3e9, "small": 0.12e9}
WAREHOUSE_BYTES_PER_YEAR = {"province": 6e9, "small": 0.25e9}


@dataclass
class Stage:
    """One history length: backfill [start, end], then nightly runs of the days after it."""

    years: int  # history loaded after this stage's backfill
    start: date
    end: date
    dag_nights: list[date] = field(default_factory=list)
    cli_nights: list[date] = field(default_factory=list)


@dataclass
class Plan:
    scale: str
    seed: int
    first_day: date
    last_day: date
    stages: list[Stage]
    quick: bool

    def to_json(self) -> dict:
        return json.loads(json.dumps(asdict(self), default=str))


def nd09_year_end(start: date) -> date:
    return start.replace(year=start.year + 1) - timedelta(days=1)


def make_plan(
    years: int, quick: bool, week: int | None = None, dag_nights: int | None = None
) -> Plan:
    """Stage k backfills the rest of nd09 year k, then a week of nights: the first `dag_nights`
    through the DAGs, the others through the CLI path. Those nights are the first days of year
    k+1, so no day is loaded twice.

    Full scale starts at the nd09 year 2021 (15/12/2020, the simulator's calibrated year); --quick
    uses a small province and 14-day "years" from 15/11/2021."""
    if quick:
        scale, first, length, default_week, default_dag = "small", date(2021, 11, 15), 14, 2, 1
    else:
        scale, first, length, default_week, default_dag = "province", date(2020, 12, 15), None, 7, 2
    week = default_week if week is None else week
    dag_nights = min(week, default_dag if dag_nights is None else dag_nights)
    stages = []
    start = first
    year_start = first
    for k in range(1, years + 1):
        end = year_start + timedelta(days=length - 1) if length else nd09_year_end(year_start)
        after = [end + timedelta(days=i) for i in range(1, week + 1)]
        stages.append(Stage(k, start, end, after[:dag_nights], after[dag_nights:]))
        year_start = end + timedelta(days=1)
        start = after[-1] + timedelta(days=1) if after else year_start
    last = max(stages[-1].end, *stages[-1].dag_nights, *stages[-1].cli_nights)
    return Plan(scale, SEED, first, last, stages, quick=quick)


def nd09_year(day: date) -> int:
    """The nd09 reporting year a day belongs to (15/12 of the year before .. 14/12)."""
    return day.year + 1 if (day.month, day.day) >= (12, 15) else day.year


def landing_dir(out: Path, plan: Plan) -> Path:
    return out / "landing" / f"{plan.scale}-{plan.first_day}-{plan.last_day}-seed{plan.seed}"


def disk_check(out: Path, plan: Plan, reuse: bool) -> dict:
    """Free space against what the run will write; the caller scales down when it does not fit."""
    out.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(out).free
    years = len(plan.stages)
    landing = 0 if reuse else LANDING_BYTES_PER_YEAR[plan.scale] * years
    need = landing + WAREHOUSE_BYTES_PER_YEAR[plan.scale] * (years + 1)  # +1: scratch database
    return {"free_bytes": free, "needed_bytes": int(need), "fits": free > need * 1.1}


def marker(landing: Path) -> Path:
    return landing / "bench-landing.json"


def reusable(landing: Path, plan: Plan) -> dict | None:
    """The earlier generation's summary if `landing` holds this plan's range (same first day, seed
    and scale, a last day at or after the plan's)."""
    path = marker(landing)
    if not path.exists():
        return None
    saved = json.loads(path.read_text())
    wanted = {"start": plan.first_day.isoformat(), "seed": plan.seed, "scale": plan.scale}
    same = all(saved.get(k) == v for k, v in wanted.items())
    return saved if same and saved.get("end", "") >= plan.last_day.isoformat() else None


def find_reusable(out: Path, plan: Plan) -> Path | None:
    """A landing folder under `out/landing/` generated earlier that covers the plan."""
    root = out / "landing"
    if not root.is_dir():
        return None
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and reusable(folder, plan):
            return folder
    return None


DAY_LISTS = ("failed_days", "missing_days", "late_days", "resent_days")


@functools.lru_cache(maxsize=4)
def truth_days(landing: Path) -> dict[str, list[dict]]:
    """The simulator's day-level ground truth (`_truth/defects.json`: failed, missing, late and
    re-sent days) without parsing its hundreds of thousands of record-level instances: the
    simulator writes each day list on a line of its own. Parsing the whole file would grow the
    bench's parent process by ~600 MB for three years, and every child forked after it would
    report that in its peak RSS."""
    path = landing / "_truth" / "defects.json"
    out: dict[str, list[dict]] = {k: [] for k in DAY_LISTS}
    if not path.exists():
        return out
    found = False
    with path.open(encoding="utf-8") as f:
        for line in f:
            key = line[1 : line.find('"', 1)] if line.startswith('"') else ""
            if key in out:
                out[key] = json.loads("{" + line.rstrip().rstrip(",") + "}")[key]
                found = True
    if not found:  # not laid out as the simulator writes it: read it whole
        data = json.loads(path.read_text(encoding="utf-8"))
        out = {k: data.get(k, []) for k in DAY_LISTS}
    return out


def step_generate(out: str, start: str, end: str, seed: int, scale: str) -> dict:
    """Child step: the simulator, every defect class on (as the warehouse meets them)."""
    from cchc_warehouse.simulate import generate

    summary = generate(
        Path(out), date.fromisoformat(start), date.fromisoformat(end), seed=seed, scale=scale
    )
    keep = {k: v for k, v in summary.items() if isinstance(v, int | float | str | list | dict)}
    marker(Path(out)).write_text(json.dumps(keep, default=str, indent=1))
    return keep
