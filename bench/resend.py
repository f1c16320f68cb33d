"""A re-sent day at province scale: the cost of replacing an old export day, against history length.

After each year's nights the bench re-sends the same old onestop day (a normal weekday of the
first year): a newer send (`generated_at` later) whose hoso.jsonl holds the same records in other
bytes (whitespace after each object's opening brace, so the sha256 differs and the loader must
replace the day). `pipeline.backfill` of that day, as the nightly path runs it, loads the send,
checks it with GX, publishes it (deleting the replaced batch's raw rows) and runs the incremental
dbt build, which recomputes the old periods the day touches. Since the records are the same, the
marts must come out identical: their checksums before and after are compared.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

SYSTEM = "onestop"
#: how far into the history the re-sent day lies (a day of the first year's second month)
DAYS_IN = 35


def resend_day(landing: Path, first_day: date, first_end: date) -> date:
    """The first weekday DAYS_IN days (half the year with --quick) or more after `first_day` whose
    onestop send the simulator left whole (not missing, late, re-sent or broken): the same day at
    every history length."""
    from bench.generate import truth_days

    odd = {
        d["export_date"]
        for days in truth_days(landing).values()
        for d in days
        if d["system"] == SYSTEM
    }
    day = first_day + timedelta(days=min(DAYS_IN, (first_end - first_day).days // 2))
    while day <= first_end:
        if (
            day.weekday() < 5
            and day.isoformat() not in odd
            and (landing / SYSTEM / str(day)).is_dir()
        ):
            return day
        day += timedelta(days=1)
    raise RuntimeError(f"no whole onestop weekday in {first_day} .. {first_end} to re-send")


def write_resend(landing: Path, root: Path, day: date, nth: int) -> Path:
    """A newer send of `day` under `root` (a landing folder of its own): hoso.jsonl re-spaced
    (`nth` spaces after each object's `{`, so every re-send has other bytes), the other files
    copied, the manifest's sha256 and generated_at (+`nth` hours) updated."""
    src = landing / SYSTEM / day.isoformat()
    dst = root / SYSTEM / day.isoformat()
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    pad = b"{" + b" " * nth
    for entry in manifest["files"]:
        name = entry["name"]
        if name != "hoso.jsonl":
            shutil.copyfile(src / name, dst / name)
            continue
        digest = hashlib.sha256()
        with open(src / name, "rb") as fin, open(dst / name, "wb") as fout:
            for line in fin:
                if line.startswith(b"{"):
                    line = pad + line[1:]
                fout.write(line)
                digest.update(line)
        entry["sha256"] = digest.hexdigest()
    generated = datetime.fromisoformat(manifest["generated_at"]) + timedelta(hours=nth)
    manifest["generated_at"] = generated.isoformat()
    (dst / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return dst


def step_resend(landing: str, root: str, day: str, nth: int) -> dict:
    """Child step: re-send `day` (see the module docstring) and measure its replacement."""
    from cchc_warehouse import pipeline
    from cchc_warehouse.checksums import table_checksums
    from cchc_warehouse.warehouse import connect

    d = date.fromisoformat(day)
    with connect() as conn:
        old = conn.execute(
            "select b.batch_id, coalesce(sum(f.rows_loaded), 0) from audit.load_batches b "
            "left join audit.batch_files f using (batch_id) "
            "where b.system = %s and b.export_date = %s and b.status = 'published' group by 1",
            (SYSTEM, d),
        ).fetchone()
    started = time.perf_counter()
    before = table_checksums(None, ("marts",))
    checksum_s = time.perf_counter() - started
    write_resend(Path(landing), Path(root), d, nth)
    started = time.perf_counter()
    report = pipeline.backfill(Path(root), d, d, systems=[SYSTEM])
    total = time.perf_counter() - started
    after = table_checksums(None, ("marts",))
    outcome = report.outcomes[0]
    return {
        "day": day,
        "weekday": d.strftime("%a"),
        "system": SYSTEM,
        "replaced_batch": old[0] if old else None,
        "rows_replaced": int(old[1]) if old else 0,
        "status": outcome.status,
        "batch_id": outcome.batch_id,
        "rows_loaded": outcome.rows_loaded,
        "message": outcome.message,
        "total_s": round(total, 2),
        "load_s": round(report.load_seconds, 2),
        "check_s": round(report.check_seconds, 2),
        "build_s": round(report.build_seconds, 2),
        "marts_checksum_s": round(checksum_s, 2),
        "marts_tables": len(before),
        "marts_differing": sorted(t for t in before if before[t] != after.get(t)),
    }
