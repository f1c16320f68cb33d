"""Load one export day of one system: COPY into raw.*, quarantine, batch audit, replace-a-day.

A day is loaded in one transaction (all files or nothing), validated, then published in a second
transaction that retires the day's previous batch. Staging reads published batches only, so a
re-sent day replaces the old content atomically and a failed or rejected one changes nothing.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import orjson
import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from cchc_warehouse import landing
from cchc_warehouse.errors import (
    CchcError,
    DayNotReadyError,
    ManifestError,
    ReconciliationError,
    WarehouseError,
)
from cchc_warehouse.sources import RAW_TABLES, SPECS, Record, read_file
from cchc_warehouse.sources.blocks import Block, block_csv, csv_row
from cchc_warehouse.sources.formats import ReadState, reads_blocks
from cchc_warehouse.warehouse import connect

log = logging.getLogger(__name__)

QUARANTINE_COLUMNS = (
    "batch_id",
    "system",
    "export_date",
    "file_name",
    "line_number",
    "field",
    "reason",
    "raw",
)


@dataclass
class FileResult:
    file_name: str
    raw_table: str
    rows_declared: int
    rows_loaded: int
    rows_quarantined: int
    sha256: str
    bytes: int
    encoding_declared: str
    encoding_used: str
    extra_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class BatchResult:
    system: str
    export_date: date
    status: str  # loaded | published | rejected | unchanged | stale
    batch_id: int | None = None
    files: list[FileResult] = field(default_factory=list)
    arrived_late: bool = False
    message: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    def summary(self) -> str:
        q = f", {self.rows_quarantined} quarantined" if self.rows_quarantined else ""
        late = " (arrived late)" if self.arrived_late else ""
        return f"{self.system} {self.export_date}: {self.status}, {self.rows_loaded} rows loaded{q}{late}"


def _lock_day(conn: psycopg.Connection, system: str, export_date: date) -> None:
    """Serialise work on one (system, day) across processes; released at transaction end."""
    conn.execute(
        "select pg_advisory_xact_lock(hashtext('cchc.load'), hashtext(%s))",
        (f"{system}/{export_date.isoformat()}",),
    )


def record_day_event(
    system: str,
    export_date: date,
    event: str,
    message: str,
    file_name: str | None = None,
    url: str | None = None,
) -> None:
    """Note a failed, missing or late day in audit.day_events (its own transaction)."""
    with connect(url, autocommit=True) as conn:
        conn.execute(
            "insert into audit.day_events (system, export_date, event, file_name, message) "
            "values (%s, %s, %s, %s, %s)",
            (system, export_date, event, file_name, message),
        )


def load_day(
    landing_dir: Path,
    system: str,
    export_date: date,
    *,
    url: str | None = None,
    loaded_by: str = "cli",
    force: bool = False,
) -> BatchResult:
    """Load one export day into raw.* and quarantine as an unpublished batch (all or nothing).

    Raises ManifestError / SourceFormatError (recorded in audit.day_events) when the day cannot be
    loaded as a whole: no manifest, checksum or row-count mismatch, truncated file, schema break.
    """
    folder = landing.DayFolder(
        system, export_date, landing.day_path(landing_dir, system, export_date)
    )
    try:
        if not folder.path.is_dir():
            raise ManifestError(
                "the export-day folder has not landed",
                system=system,
                export_date=export_date.isoformat(),
            )
        manifest = landing.read_manifest(folder)
        checks, unlisted = landing.verify_files(folder, manifest)
        return _load_checked(folder, manifest, checks, unlisted, url, loaded_by, force)
    except WarehouseError:
        raise  # the warehouse, not the day, is the problem: nothing to record there now
    except CchcError as exc:
        if not isinstance(exc, DayNotReadyError):
            record_day_event(system, export_date, "failed", str(exc), exc.file, url)
        raise


def _load_checked(
    folder: landing.DayFolder,
    manifest: landing.Manifest,
    checks: list[landing.FileCheck],
    unlisted: list[str],
    url: str | None,
    loaded_by: str,
    force: bool,
) -> BatchResult:
    system, export_date = folder.system, folder.export_date
    result = BatchResult(system, export_date, "loaded")
    result.warnings += [
        f"{name}: present but not named in manifest.json; not loaded" for name in unlisted
    ]
    result.warnings += [f"{c.name}: {c.note}" for c in checks if c.note]
    with connect(url) as conn:
        _lock_day(conn, system, export_date)
        current = conn.execute(
            "select batch_id, manifest, generated_at from audit.load_batches "
            "where system = %s and export_date = %s and status = 'published'",
            (system, export_date),
        ).fetchone()
        if current and not force:
            if current[1].get("files") == manifest.raw.get("files"):
                result.status, result.batch_id = "unchanged", current[0]
                result.message = "already published with the same files; nothing to do"
                return result
            if current[2] and manifest.generated_at and manifest.generated_at < current[2]:
                result.status, result.batch_id = "stale", current[0]
                result.message = (
                    f"this send (generated {manifest.generated_at}) is older than the published one "
                    f"(generated {current[2]}); kept the published one"
                )
                log.warning("%s %s: %s", system, export_date, result.message)
                return result
        _abandon_unpublished(conn, system, export_date)
        result.arrived_late = bool(
            conn.execute(
                "select exists (select 1 from audit.load_batches where system = %s "
                "and export_date > %s and status = 'published')",
                (system, export_date),
            ).fetchone()[0]
        )
        batch_id = conn.execute(
            "insert into audit.load_batches (system, export_date, province_code, generated_at, "
            "manifest, status, arrived_late, loaded_by, message) "
            "values (%s, %s, %s, %s, %s, 'loaded', %s, %s, %s) returning batch_id",
            (
                system,
                export_date,
                manifest.province_code,
                manifest.generated_at,
                json.dumps(manifest.raw, ensure_ascii=False),
                result.arrived_late,
                loaded_by,
                "; ".join(result.warnings) or None,
            ),
        ).fetchone()[0]
        result.batch_id = batch_id
        for check in checks:
            entry = manifest.file(check.name)
            result.files.append(_copy_file(conn, batch_id, folder, check, entry.rows))
        conn.execute(
            "update audit.load_batches set loaded_at = now() where batch_id = %s", (batch_id,)
        )
    log.info("%s (batch %s)", result.summary(), batch_id)
    return result


def _abandon_unpublished(conn: psycopg.Connection, system: str, export_date: date) -> None:
    """Clear earlier attempts at this day that were never published (crashed, rejected)."""
    stale = [
        r[0]
        for r in conn.execute(
            "update audit.load_batches set status = 'abandoned' where system = %s "
            "and export_date = %s and status in ('loaded', 'rejected') returning batch_id",
            (system, export_date),
        )
    ]
    if stale:
        _delete_batch_rows(conn, system, stale)
        conn.execute("delete from quarantine.records where batch_id = any(%s)", (stale,))


def _delete_batch_rows(conn: psycopg.Connection, system: str, batch_ids: list[int]) -> None:
    for table in RAW_TABLES[system]:
        conn.execute(
            sql.SQL("delete from {} where _batch_id = any(%s)").format(
                sql.Identifier(*table.split("."))
            ),
            (batch_ids,),
        )


def _copy_file(
    conn: psycopg.Connection,
    batch_id: int,
    folder: landing.DayFolder,
    check: landing.FileCheck,
    rows_declared: int,
) -> FileResult:
    started = time.perf_counter()
    spec = SPECS.get((folder.system, check.name))
    where = {
        "system": folder.system,
        "export_date": folder.export_date.isoformat(),
        "file": check.name,
    }
    if spec is None:
        raise ManifestError(
            "manifest names a file that is not part of the source contract", **where
        )
    state = ReadState()
    rejects = []
    loaded = 0
    day = folder.export_date.isoformat()
    batch = str(batch_id)
    table = sql.Identifier(*spec.table.split("."))
    columns = sql.SQL(", ").join(
        sql.Identifier(c)
        for c in (*spec.columns, "_extra", "_batch_id", "_export_date", "_file", "_line")
    )
    items = read_file(check.path, spec, check.encoding, state, where, bulk=True)
    cursor = conn.cursor()
    bulk = reads_blocks(spec, check.encoding)
    if bulk:
        # pyarrow's blocks go as CSV, handed to a writer thread: the next block is parsed while
        # the server stores this one
        statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(table, columns)
        copying = cursor.copy(statement, writer=QueuedLibpqWriter(cursor))
    else:
        copying = cursor.copy(sql.SQL("copy {} ({}) from stdin").format(table, columns))
    tail = (batch, day, check.name)
    with copying as copy:
        write_row = (lambda row: copy.write(csv_row(row))) if bulk else copy.write_row
        for item in items:
            if item.__class__ is Block:
                copy.write(block_csv(item, tail))
                loaded += item.rows
            elif item.__class__ is Record:
                extra = orjson.dumps(item.extra).decode() if item.extra else None
                write_row((*item.values, extra, *tail, item.line))
                loaded += 1
            else:
                rejects.append(item)
    if rejects:
        with conn.cursor().copy(
            sql.SQL("copy quarantine.records ({}) from stdin").format(
                sql.SQL(", ").join(map(sql.Identifier, QUARANTINE_COLUMNS))
            )
        ) as copy:
            for r in rejects:
                copy.write_row(
                    (batch, folder.system, day, check.name, r.line, r.field, r.reason, r.raw)
                )
        for r in rejects[:5]:
            log.warning(
                "%s %s %s:%s%s quarantined: %s",
                folder.system,
                day,
                check.name,
                r.line,
                f" field {r.field}" if r.field else "",
                r.reason,
            )
        if len(rejects) > 5:
            log.warning(
                "%s %s %s: %d more records quarantined",
                folder.system,
                day,
                check.name,
                len(rejects) - 5,
            )
    if state.extra_columns:
        log.warning(
            "%s %s %s: new fields not in the contract, kept in _extra: %s",
            folder.system,
            day,
            check.name,
            ", ".join(sorted(state.extra_columns)),
        )
    if state.records != rows_declared:
        raise ManifestError(
            f"manifest declares {rows_declared} rows but the file holds {state.records} records",
            **where,
        )
    in_raw = conn.execute(
        sql.SQL("select count(*) from {} where _batch_id = %s and _file = %s").format(table),
        (batch_id, check.name),
    ).fetchone()[0]
    if in_raw != loaded or rows_declared != in_raw + len(rejects):
        raise ReconciliationError(
            f"rows do not reconcile: declared {rows_declared}, in raw {in_raw}, quarantined {len(rejects)}",
            **where,
        )
    result = FileResult(
        file_name=check.name,
        raw_table=spec.table,
        rows_declared=rows_declared,
        rows_loaded=loaded,
        rows_quarantined=len(rejects),
        sha256=check.sha256,
        bytes=check.bytes,
        encoding_declared=check.encoding_declared,
        encoding_used=check.encoding,
        extra_columns=sorted(state.extra_columns),
        seconds=round(time.perf_counter() - started, 3),
    )
    conn.execute(
        "insert into audit.batch_files (batch_id, file_name, raw_table, rows_declared, rows_loaded, "
        "rows_quarantined, sha256, bytes, encoding_declared, encoding_used, extra_columns, seconds) "
        "values (%(batch_id)s, %(file_name)s, %(raw_table)s, %(rows_declared)s, %(rows_loaded)s, "
        "%(rows_quarantined)s, %(sha256)s, %(bytes)s, %(encoding_declared)s, %(encoding_used)s, "
        "%(extra_columns)s, %(seconds)s)",
        {"batch_id": batch_id, **asdict(result)},
    )
    return result


def publish_batch(batch_id: int, *, url: str | None = None) -> str:
    """Make a validated batch the day's content: retire the previous batch and its raw rows.

    Returns 'published', or 'taken_over' when a concurrent load of the same send replaced this
    batch before it could be published (that load publishes the same content).
    """
    with connect(url) as conn:
        row = conn.execute(
            "select system, export_date, manifest -> 'files' from audit.load_batches where batch_id = %s",
            (batch_id,),
        ).fetchone()
        if row is None:
            raise CchcError(f"batch {batch_id} does not exist")
        system, export_date, files = row
        _lock_day(conn, system, export_date)
        status = conn.execute(
            "select status from audit.load_batches where batch_id = %s", (batch_id,)
        ).fetchone()[0]
        if status == "published":
            return "published"
        if status != "loaded":
            newer = conn.execute(
                "select batch_id from audit.load_batches where system = %s and export_date = %s "
                "and batch_id > %s and status in ('loaded', 'published') and manifest -> 'files' = %s",
                (system, export_date, batch_id, json.dumps(files)),
            ).fetchone()
            if newer:
                log.info(
                    "%s %s: batch %s was replaced by batch %s, a concurrent load of the same send",
                    system,
                    export_date,
                    batch_id,
                    newer[0],
                )
                return "taken_over"
            raise CchcError(
                f"batch {batch_id} is {status}, not loaded: a newer load of this day replaced it",
                system=system,
                export_date=export_date.isoformat(),
            )
        old = [
            r[0]
            for r in conn.execute(
                "update audit.load_batches set status = 'superseded' where system = %s "
                "and export_date = %s and status = 'published' returning batch_id",
                (system, export_date),
            )
        ]
        if old:
            _delete_batch_rows(conn, system, old)
        conn.execute(
            "update audit.load_batches set status = 'published', published_at = now() "
            "where batch_id = %s",
            (batch_id,),
        )
    log.info(
        "%s %s: batch %s published%s",
        system,
        export_date,
        batch_id,
        f", replacing batch {', '.join(map(str, old))}" if old else "",
    )
    return "published"


def reject_batch(batch_id: int, reason: str, *, url: str | None = None) -> None:
    """A critical quality check failed: the batch stays out of staging; the day keeps its old content."""
    with connect(url) as conn:
        conn.execute(
            "update audit.load_batches set status = 'rejected', message = %s "
            "where batch_id = %s and status = 'loaded'",
            (reason, batch_id),
        )
    log.error("batch %s rejected: %s", batch_id, reason)


def validate_and_publish(
    result: BatchResult, *, url: str | None = None, validate: bool = True
) -> BatchResult:
    """Run the batch's quality checks, then publish it or reject it (QualityError)."""
    if result.status != "loaded" or result.batch_id is None:
        return result
    if validate:
        from cchc_warehouse import quality
        from cchc_warehouse.errors import QualityError

        outcome = quality.validate_batch(result.batch_id, url)
        result.warnings += outcome.warnings
        if not outcome.success:
            reason = "; ".join(outcome.critical_failures)
            reject_batch(result.batch_id, reason, url=url)
            result.status = "rejected"
            raise QualityError(
                f"critical quality check failed, batch {result.batch_id} not published: {reason}",
                system=result.system,
                export_date=result.export_date.isoformat(),
            )
    published = publish_batch(result.batch_id, url=url)
    result.status = "published" if published == "published" else "unchanged"
    return result


def ingest_day(
    landing_dir: Path,
    system: str,
    export_date: date,
    *,
    url: str | None = None,
    loaded_by: str = "cli",
    validate: bool = True,
    force: bool = False,
) -> BatchResult:
    """Load, validate and publish one export day (what the DAG's tasks do, in one call)."""
    result = load_day(landing_dir, system, export_date, url=url, loaded_by=loaded_by, force=force)
    return validate_and_publish(result, url=url, validate=validate)
