"""Ingestion: raw-load rows/s per file type (the backfill's own audit timings) beside plain COPY of
the same rows at the same granularity; one large file per type (hoso.jsonl, vanban.csv) loaded
end to end beside a plain COPY of the same rows, parse-only throughput, peak memory at two file
sizes; Great Expectations on a batch of about a million rows.

The large files are the year's daily files of the landing concatenated into one export day
(excluded: days that stay failed, files in another encoding or with another header), loaded into
the scratch database, never into the benchmark warehouse.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import date
from pathlib import Path

from psycopg import sql

from bench.common import connect

BIG_DAY_1M = date(2030, 1, 1)
BIG_DAY_ALL = date(2030, 1, 2)
ONE_MILLION = 1_000_000
#: what the audit's per-file seconds cover: read + parse + COPY + quarantine + reconciliation
#: count (not the sha256/UTF-8 pre-scan, the batch row or the commit: those are in the big loads)
FILE_RATES_SQL = """
select b.system, f.file_name, f.raw_table,
       count(*) as files,
       sum(f.rows_declared) as rows_declared,
       sum(f.rows_loaded) as rows_loaded,
       sum(f.rows_quarantined) as rows_quarantined,
       sum(f.bytes) as bytes,
       sum(f.seconds) as seconds
from audit.batch_files f join audit.load_batches b using (batch_id)
where f.batch_id between %(first)s and %(last)s
group by 1, 2, 3
order by 1, 2
"""


# ------------------------------------------------------------------ per file type, from the audit
def max_batch_id(url: str) -> int:
    with connect(url) as conn:
        return conn.execute("select coalesce(max(batch_id), 0) from audit.load_batches").fetchone()[
            0
        ]


def file_type_rates(url: str, first: int, last: int) -> list[dict]:
    with connect(url) as conn:
        cur = conn.execute(FILE_RATES_SQL, {"first": first, "last": last})
        names = [c.name for c in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    for r in rows:
        for k in ("rows_declared", "rows_loaded", "rows_quarantined", "bytes"):
            r[k] = int(r[k] or 0)
        r["seconds"] = float(r["seconds"] or 0)
        r["rows_per_s"] = round(r["rows_declared"] / r["seconds"]) if r["seconds"] else None
    return rows


def published_batches(url: str, start: date, end: date) -> dict[str, list[int]]:
    """Published batch ids per system of the export days [start, end] (their raw rows are there)."""
    with connect(url) as conn:
        out: dict[str, list[int]] = {}
        for system, batch in conn.execute(
            "select system, batch_id from audit.load_batches where export_date between %s and %s "
            "and status = 'published' order by batch_id",
            (start, end),
        ):
            out.setdefault(system, []).append(batch)
    return out


def _plain_table(conn, raw_table: str, plain_name: str) -> sql.Composed:
    """An empty table shaped like the raw table (columns, defaults, the _batch_id index)."""
    conn.execute("create schema if not exists plain")
    target = sql.Identifier("plain", plain_name)
    conn.execute(sql.SQL("drop table if exists {}").format(target))
    conn.execute(
        sql.SQL("create table {} (like {} including all)").format(
            target, sql.Identifier(*raw_table.split("."))
        )
    )
    conn.commit()
    return target


def step_plain_copy_batches(src_url: str, dst_url: str, tables: dict[str, list[int]]) -> dict:
    """Child step: for each raw table, every published batch's rows exported as CSV (not timed) and
    COPYed into a same-shaped table, one COPY and one commit per batch, as the loader does."""
    out = {}
    with connect(src_url) as src, connect(dst_url) as dst:
        for raw_table, batch_ids in tables.items():
            target = _plain_table(dst, raw_table, raw_table.split(".")[1])
            source = sql.Identifier(*raw_table.split("."))
            seconds = 0.0
            nbytes = 0
            for batch in batch_ids:
                buf = bytearray()
                with src.cursor().copy(
                    sql.SQL(
                        "copy (select * from {} where _batch_id = {} order by _line) "
                        "to stdout (format csv)"
                    ).format(source, sql.Literal(batch))
                ) as copy:
                    for block in copy:
                        buf += block
                src.rollback()
                if not buf:
                    continue
                started = time.perf_counter()
                with dst.cursor().copy(
                    sql.SQL("copy {} from stdin (format csv)").format(target)
                ) as copy:
                    copy.write(buf)
                dst.commit()
                seconds += time.perf_counter() - started
                nbytes += len(buf)
            counted = dst.execute(sql.SQL("select count(*) from {}").format(target)).fetchone()[0]
            dst.execute(sql.SQL("drop table {}").format(target))
            dst.commit()
            out[raw_table] = {
                "batches": len(batch_ids),
                "rows": counted,
                "csv_bytes": nbytes,
                "seconds": round(seconds, 3),
                "rows_per_s": round(counted / seconds) if seconds else None,
            }
    return out


# ------------------------------------------------------------------ one large file per type
def _failed_days(landing: Path) -> set[tuple[str, str]]:
    from bench.generate import truth_days

    return {(d["system"], d["export_date"]) for d in truth_days(landing)["failed_days"]}


def _days(landing: Path, system: str, start: date, end: date) -> list[Path]:
    failed = _failed_days(landing)
    out = []
    for folder in sorted((landing / system).iterdir()):
        try:
            d = date.fromisoformat(folder.name)
        except ValueError:
            continue
        ready = (folder / "manifest.json").exists()
        if start <= d <= end and (system, folder.name) not in failed and ready:
            out.append(folder)
    return out


def build_big_days(landing: Path, big: Path, start: date, end: date) -> dict:
    """Write the large export days (not measured): onestop with ~1M and with all hoso.jsonl lines of
    [start, end], docmgmt with all vanban.csv rows. Other files of the day: the first day's."""
    made = {}
    days = _days(landing, "onestop", start, end)
    made["hoso_1m"] = _concat_day(big, "onestop", BIG_DAY_1M, days, "hoso.jsonl", ONE_MILLION)
    made["hoso_all"] = _concat_day(big, "onestop", BIG_DAY_ALL, days, "hoso.jsonl", None)
    made["vanban_all"] = _concat_day(
        big, "docmgmt", BIG_DAY_1M, _days(landing, "docmgmt", start, end), "vanban.csv", None
    )
    return made


def _concat_day(
    big: Path, system: str, day: date, days: list[Path], name: str, limit: int | None
) -> dict:
    """One file made of the daily files' records. CSV: one header (the variant that covers the most
    rows, schema drift splits the year), Windows-1258 files re-encoded as UTF-8, BOM once."""
    folder = big / system / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    csv = name.endswith(".csv")
    chosen: list[tuple[Path, int]] = []
    skipped = 0
    header: bytes | None = None
    if csv:
        groups: dict[bytes, list[tuple[Path, int]]] = {}
        for src in days:
            text = _csv_text(src / name)
            if text is None:
                skipped += 1
                continue
            head = text[: text.index("\n") + 1].encode("utf-8")
            groups.setdefault(head, []).append((src, _entry(src, name)["rows"]))
        header = max(groups, key=lambda h: sum(n for _, n in groups[h]), default=b"")
        chosen = groups.get(header, [])
        skipped += sum(len(v) for h, v in groups.items() if h != header)
    else:
        for src in days:
            if (src / name).read_bytes().endswith(b"\n"):
                chosen.append((src, _entry(src, name)["rows"]))
            else:
                skipped += 1
    rows = files = 0
    digest = hashlib.sha256()
    with (folder / name).open("wb") as out:

        def write(data: bytes) -> None:
            out.write(data)
            digest.update(data)

        if csv:
            write(b"\xef\xbb\xbf" + header)
        for src, n in chosen:
            if limit is not None and rows >= limit:
                break
            if csv:
                text = _csv_text(src / name)
                write(text[text.index("\n") + 1 :].encode("utf-8"))
            else:
                write((src / name).read_bytes())
            rows += n
            files += 1
    first = chosen[0][0] if chosen else days[0]
    manifest = json.loads((first / "manifest.json").read_text())
    entries = []
    for e in manifest["files"]:
        if e["name"] == name:
            entries.append(
                {"name": name, "rows": rows, "sha256": digest.hexdigest(), "encoding": "utf-8"}
            )
        else:
            (folder / e["name"]).write_bytes((first / e["name"]).read_bytes())
            entries.append(e)
    manifest.update(
        {"export_date": day.isoformat(), "generated_at": f"{day.isoformat()}T23:00:00+07:00"}
    )
    manifest["files"] = entries
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return {
        "system": system,
        "day": day.isoformat(),
        "file": name,
        "rows": rows,
        "source_files": files,
        "skipped_files": skipped,
        "bytes": (folder / name).stat().st_size,
        "path": str(folder / name),
    }


def _csv_text(path: Path) -> str | None:
    """A daily CSV file as text (UTF-8, else Windows-1258), without BOM; None if it cannot be used
    (cut short, or bytes neither encoding decodes)."""
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        return None
    for encoding in ("utf-8", "cp1258"):
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
    return None


def _entry(folder: Path, name: str) -> dict:
    manifest = json.loads((folder / "manifest.json").read_text())
    return next(e for e in manifest["files"] if e["name"] == name)


def step_parse_only(path: str, system: str, file: str) -> dict:
    """Child step: read and parse the file as the loader does (pyarrow blocks where it can),
    without a database."""
    from cchc_warehouse.sources import SPECS, Record, read_file
    from cchc_warehouse.sources.blocks import Block
    from cchc_warehouse.sources.formats import ReadState

    spec = SPECS[(system, file)]
    state = ReadState()
    records = rejects = 0
    started = time.perf_counter()
    where = {"system": system, "file": file}
    for item in read_file(Path(path), spec, "utf-8", state, where, bulk=True):
        if item.__class__ is Block:
            records += item.rows
        elif item.__class__ is Record:
            records += 1
        else:
            rejects += 1
    seconds = time.perf_counter() - started
    return {
        "records": records,
        "rejects": rejects,
        "seconds": round(seconds, 3),
        "rows_per_s": round((records + rejects) / seconds) if seconds else None,
    }


def step_load_big(landing: str, system: str, day: str, url: str) -> dict:
    """Child step: load_day end to end (manifest, sha256 + UTF-8 scan, parse, COPY, quarantine,
    reconciliation, audit rows, commit); the batch is left unpublished."""
    from cchc_warehouse import load

    started = time.perf_counter()
    result = load.load_day(Path(landing), system, date.fromisoformat(day), url=url)
    seconds = time.perf_counter() - started
    return {
        "batch_id": result.batch_id,
        "status": result.status,
        "seconds": round(seconds, 3),
        "rows_loaded": result.rows_loaded,
        "rows_quarantined": result.rows_quarantined,
        "files": [
            {
                "file": f.file_name,
                "table": f.raw_table,
                "rows_declared": f.rows_declared,
                "rows_loaded": f.rows_loaded,
                "bytes": f.bytes,
                "seconds": f.seconds,
            }
            for f in result.files
        ],
    }


def step_gx_batch(batch_id: int, url: str) -> dict:
    """Child step: the system's GX checkpoint on one batch, twice (first includes building the GX
    context and datasource; importing GX and the suites is timed apart)."""
    from cchc_warehouse import quality

    started = time.perf_counter()
    quality.suites()
    import_s = time.perf_counter() - started
    runs = []
    for _ in range(2):
        started = time.perf_counter()
        outcome = quality.validate_batch(batch_id, url)
        runs.append(round(time.perf_counter() - started, 3))
    with connect(url) as conn:
        rows = conn.execute(
            "select sum(rows_loaded) from audit.batch_files where batch_id = %s", (batch_id,)
        ).fetchone()[0]
    return {
        "batch_id": batch_id,
        "rows": int(rows or 0),
        "import_s": round(import_s, 3),
        "first_s": runs[0],
        "second_s": runs[1],
        "success": outcome.success,
        "critical": outcome.critical_failures[:5],
        "warnings": len(outcome.warnings),
    }


def export_batch_csv(url: str, raw_table: str, batch_id: int, path: Path) -> int:
    """The rows of one batch as a CSV file (the input of the plain COPY); returns bytes."""
    with (
        connect(url) as conn,
        path.open("wb") as out,
        conn.cursor().copy(
            sql.SQL("copy (select * from {} where _batch_id = {}) to stdout (format csv)").format(
                sql.Identifier(*raw_table.split(".")), sql.Literal(batch_id)
            )
        ) as copy,
    ):
        for block in copy:
            out.write(block)
    return path.stat().st_size


def step_plain_copy_file(path: str, raw_table: str, url: str) -> dict:
    """Child step: COPY a CSV file (streamed in 1 MB blocks) into a same-shaped table, one commit."""
    with connect(url) as conn:
        target = _plain_table(conn, raw_table, raw_table.split(".")[1] + "_big")
        started = time.perf_counter()
        statement = sql.SQL("copy {} from stdin (format csv)").format(target)
        with conn.cursor().copy(statement) as copy, open(path, "rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        conn.commit()
        seconds = time.perf_counter() - started
        rows = conn.execute(sql.SQL("select count(*) from {}").format(target)).fetchone()[0]
        conn.execute(sql.SQL("drop table {}").format(target))
        conn.commit()
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
    }


# ------------------------------------------------------------------ the parent's sequence
def run_ingest_bench(benv, env: dict, landing: Path, start: date, end: date) -> dict:
    """Everything above, for the year [start, end] just backfilled into the bench warehouse."""
    import shutil

    from cchc_warehouse.sources import RAW_TABLES, SPECS

    from bench.common import SCRATCH_DB, WAREHOUSE_DB
    from bench.memory import run_step

    out: dict = {}
    logs = benv.logs / "ingest"
    tables = {}
    for system, ids in published_batches(benv.url, start, end).items():
        for table in RAW_TABLES[system]:
            tables[table] = ids
    out["plain_copy_batches"] = run_step(
        "plain_copy_batches",
        "plain_copy_batches",
        {"src_url": benv.url, "dst_url": benv.scratch_url, "tables": tables},
        env,
        logs,
        databases=(WAREHOUSE_DB, SCRATCH_DB),
    )
    big = benv.out / "big"
    shutil.rmtree(big, ignore_errors=True)
    made = build_big_days(landing, big, start, end)
    if made["hoso_1m"]["rows"] == made["hoso_all"]["rows"]:
        del made["hoso_all"]  # the year has fewer than a million lines (--quick)
    out["big"] = {}
    for key, m in made.items():
        table = SPECS[(m["system"], m["file"])].table
        one = {"file": m}
        one["parse_only"] = run_step(
            f"parse_{key}",
            "parse_only",
            {"path": m["path"], "system": m["system"], "file": m["file"]},
            env,
            logs,
        )
        one["load"] = run_step(
            f"load_{key}",
            "load_big",
            {"landing": str(big), "system": m["system"], "day": m["day"], "url": benv.scratch_url},
            env,
            logs,
            databases=(SCRATCH_DB,),
        )
        batch = one["load"]["result"]["batch_id"]
        csv_path = big / f"{key}.csv"
        one["csv_bytes"] = export_batch_csv(benv.scratch_url, table, batch, csv_path)
        one["plain_copy"] = run_step(
            f"plain_{key}",
            "plain_copy_file",
            {"path": str(csv_path), "raw_table": table, "url": benv.scratch_url},
            env,
            logs,
            databases=(SCRATCH_DB,),
        )
        csv_path.unlink()
        if key != "hoso_all":
            one["gx"] = run_step(
                f"gx_{key}",
                "gx_batch",
                {"batch_id": batch, "url": benv.scratch_url},
                env,
                logs,
                databases=(SCRATCH_DB,),
            )
        out["big"][key] = one
    shutil.rmtree(big, ignore_errors=True)
    return out
