"""The units of work the DAG tasks and `cchc backfill` share: find a day, load it, check it,
publish it, build the marts. The DAGs call these one task each; backfill calls them in a loop."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from cchc_warehouse import landing, load
from cchc_warehouse.errors import CchcError
from cchc_warehouse.sources import SYSTEMS

log = logging.getLogger(__name__)


@dataclass
class DayOutcome:
    system: str
    export_date: date
    status: str  # published | unchanged | stale | rejected | failed | missing | waiting
    rows_loaded: int = 0
    rows_quarantined: int = 0
    batch_id: int | None = None
    message: str = ""


@dataclass
class BackfillReport:
    start: date
    end: date
    outcomes: list[DayOutcome] = field(default_factory=list)
    load_seconds: float = 0.0
    check_seconds: float = 0.0
    build_seconds: float = 0.0

    @property
    def failed(self) -> list[DayOutcome]:
        return [o for o in self.outcomes if o.status in ("failed", "rejected")]

    def failed_line(self) -> str:
        shown = "; ".join(f"{o.system} {o.export_date}: {o.message}" for o in self.failed[:3])
        more = f" (+{len(self.failed) - 3} more, see `cchc status`)" if len(self.failed) > 3 else ""
        return shown + more

    def render(self) -> str:
        from cchc_warehouse.formatting import vn_int

        lines = [f"Backfill {self.start} .. {self.end}"]
        for system in SYSTEMS:
            mine = [o for o in self.outcomes if o.system == system]
            if not mine:
                continue
            counts = Counter(o.status for o in mine)
            loaded = sum(o.rows_loaded for o in mine)
            quarantined = sum(o.rows_quarantined for o in mine)
            statuses = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
            lines.append(
                f"  {system:8} {statuses}; {vn_int(loaded)} rows loaded, {vn_int(quarantined)} quarantined"
            )
        for o in self.outcomes:
            if o.status in ("failed", "rejected", "missing", "waiting", "stale"):
                lines.append(f"  ! {o.system} {o.export_date} {o.status}: {o.message}")
        lines.append(
            f"  time: load {self.load_seconds:.1f} s, checks {self.check_seconds:.1f} s, "
            f"dbt build {self.build_seconds:.1f} s"
        )
        return "\n".join(lines)


def landed_state(landing_dir: Path, system: str, export_date: date) -> str:
    """'ready' (manifest present), 'writing' (folder without manifest) or 'absent'."""
    path = landing.day_path(landing_dir, system, export_date)
    if not path.is_dir():
        return "absent"
    return "ready" if (path / landing.MANIFEST).is_file() else "writing"


def note_missing(system: str, export_date: date, url: str | None = None) -> None:
    """Record once that a day never arrived (or is still being written) when it was due."""
    from cchc_warehouse.warehouse import connect

    with connect(url) as conn:
        seen = conn.execute(
            "select 1 from audit.day_events where system = %s and export_date = %s and event = 'missing'",
            (system, export_date),
        ).fetchone()
    if not seen:
        load.record_day_event(
            system, export_date, "missing", "the export day did not land", url=url
        )


def load_one(
    landing_dir: Path,
    system: str,
    export_date: date,
    *,
    url: str | None = None,
    loaded_by: str = "cli",
) -> DayOutcome:
    """Load one export day (unpublished); a failure becomes an outcome, never an exception."""
    state = landed_state(landing_dir, system, export_date)
    if state == "absent":
        note_missing(system, export_date, url)
        return DayOutcome(system, export_date, "missing", message="the export day did not land")
    if state == "writing":
        return DayOutcome(
            system, export_date, "waiting", message="no manifest.json yet: still being written"
        )
    try:
        result = load.load_day(landing_dir, system, export_date, url=url, loaded_by=loaded_by)
    except CchcError as exc:
        log.error("%s", exc)
        return DayOutcome(system, export_date, "failed", message=_where_in_day(exc))
    return DayOutcome(
        system,
        export_date,
        result.status,
        result.rows_loaded,
        result.rows_quarantined,
        result.batch_id,
        result.message,
    )


def _where_in_day(exc: CchcError) -> str:
    """The error without the system and day the outcome already carries: 'file:line field: message'."""
    place = (exc.file or "") + (f":{exc.line}" if exc.file and exc.line else "")
    place += f" field {exc.field}" if exc.field else ""
    return f"{place.strip()}: {exc.message}" if place.strip() else exc.message


CHECK_CHUNK = 93  # batches validated together: about a month of the three systems (bounds memory)


def check_and_publish(
    outcomes: list[DayOutcome], *, url: str | None = None, validate: bool = True
) -> None:
    """Validate the loaded batches (one GX pass per raw table over a month of batches at a time)
    and publish or reject each, in day order."""
    loaded = sorted(
        (o for o in outcomes if o.status == "loaded"), key=lambda o: (o.export_date, o.system)
    )
    for i in range(0, len(loaded), CHECK_CHUNK):
        chunk = loaded[i : i + CHECK_CHUNK]
        results = {}
        if validate:
            from cchc_warehouse import quality

            results = quality.validate_batches([o.batch_id for o in chunk], url)
        for o in chunk:
            _publish_or_reject(o, results.get(o.batch_id), url)


def _publish_or_reject(o: DayOutcome, outcome, url: str | None) -> None:
    if outcome is not None and not outcome.success:
        reason = "; ".join(outcome.critical_failures)
        load.reject_batch(o.batch_id, reason, url=url)
        o.status, o.message = "rejected", f"critical quality check failed: {reason}"
        return
    try:
        published = load.publish_batch(o.batch_id, url=url)
        o.status = "published" if published == "published" else "unchanged"
    except CchcError as exc:
        o.status, o.message = "failed", str(exc)


def days(start: date, end: date) -> list[date]:
    if end < start:
        raise CchcError(f"--end {end} is before --start {start}")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def backfill(
    landing_dir: Path,
    start: date,
    end: date,
    *,
    systems: list[str] | None = None,
    build: bool = True,
    validate: bool = True,
    progress: bool = False,
    url: str | None = None,
) -> BackfillReport:
    """Load every export day in [start, end] for each system, check and publish, then build the marts."""
    from cchc_warehouse.warehouse import bootstrap

    if not Path(landing_dir).is_dir():
        raise CchcError(f"landing folder {landing_dir} does not exist")
    systems = systems or list(SYSTEMS)
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        raise CchcError(
            f"unknown system {', '.join(sorted(unknown))}; expected {', '.join(SYSTEMS)}"
        )
    bootstrap(url)
    report = BackfillReport(start, end)
    span = days(start, end)
    started = time.perf_counter()
    with _progress(progress, len(span) * len(systems)) as advance:
        for day in span:
            todays = []
            for system in systems:
                outcome = load_one(landing_dir, system, day, url=url)
                todays.append(outcome)
                advance(f"{day} {system}")
            report.outcomes += todays
            log.info("%s  %s", day, "  ".join(_day_cell(o) for o in todays))
    report.load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    check_and_publish(report.outcomes, url=url, validate=validate)
    report.check_seconds = time.perf_counter() - started
    if build:
        from cchc_warehouse import dbt

        started = time.perf_counter()
        dbt.run_dbt(["build"], url, quiet=True, child=True)  # peak memory: GX's or dbt's, not both
        report.build_seconds = time.perf_counter() - started
    return report


def _day_cell(o: DayOutcome) -> str:
    from cchc_warehouse.formatting import vn_int

    if o.status == "loaded":
        q = f" ({vn_int(o.rows_quarantined)} quarantined)" if o.rows_quarantined else ""
        return f"{o.system} {vn_int(o.rows_loaded)} rows{q}"
    return f"{o.system} {o.status.upper()}"


class _progress:
    """A rich progress bar (or nothing), used as `with _progress(on, total) as advance:`."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self.total = total
        self._progress = None

    def __enter__(self):
        if not self.enabled:
            return lambda label: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self._progress.start()
        task = self._progress.add_task("loading", total=self.total)

        def advance(label: str) -> None:
            self._progress.update(task, advance=1, description=label)

        return advance

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()
