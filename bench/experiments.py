"""Experiments beyond the targets, on the warehouse a run leaves behind: the backfill's GX pass
alone in a process, to see its share of the backfill's memory (--gx); whether partitioning raw
tables by export month and the dossier fact by year pays (--partitions, bench/partitions.py).
Run on its own:

    .venv/bin/python -m bench.experiments [--results DIR] [--gx] [--partitions]

(on its own it reads DIR/results.json for the landing and the bench folder, adds its findings
under "experiments" and renders DIR/RESULTS.md again).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

from bench import common
from bench.memory import StepFailed, run_step

log = logging.getLogger("bench")


def step_gx_batches(url: str, start: str, end: str) -> dict:
    """Child step: the backfill's GX pass (quality.validate_batches) over the published batches of
    the export days [start, end], alone in a process, to see its share of the backfill's memory."""
    from cchc_warehouse import quality

    with common.connect(url) as conn:
        ids = [
            r[0]
            for r in conn.execute(
                "select batch_id from audit.load_batches where status = 'published' "
                "and export_date between %s and %s order by batch_id",
                (start, end),
            )
        ]
    started = time.perf_counter()
    results = quality.validate_batches(ids, url)
    return {
        "batches": len(ids),
        "seconds": round(time.perf_counter() - started, 2),
        "failed": sum(1 for r in results.values() if not r.success),
    }


def gx_backfill_memory(benv: common.BenchEnv, env: dict, start: str, end: str) -> dict:
    log.info("experiment: the backfill's GX pass alone over %s .. %s", start, end)
    try:
        return run_step(
            "gx_batches",
            "gx_batches",
            {"url": benv.url, "start": start, "end": end},
            env,
            benv.logs / "experiments",
            databases=(common.WAREHOUSE_DB,),
        )
    except StepFailed as exc:
        return {"error": str(exc).splitlines()[-1][:300]}


def partitions(benv: common.BenchEnv, env: dict, results: dict) -> dict:
    from bench.generate import nd09_year
    from bench.resend import resend_day

    first = results["stages"][0]
    last = results["stages"][-1]
    day = resend_day(
        Path(results["landing"]),
        date.fromisoformat(first["start"]),
        date.fromisoformat(first["end"]),
    )
    log.info("experiment: partitioned copies beside the tables, re-sending %s", day)
    try:
        return run_step(
            "partitions",
            "partitions",
            {
                "url": benv.url,
                "day": day.isoformat(),
                "year": nd09_year(date.fromisoformat(last["end"])),
            },
            env,
            benv.logs / "experiments",
            databases=(common.WAREHOUSE_DB,),
        )
    except StepFailed as exc:
        return {"error": str(exc).splitlines()[-1][:300]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.experiments", description=__doc__.splitlines()[0]
    )
    p.add_argument("--results", type=Path, default=common.ROOT / "bench")
    p.add_argument("--gx", action="store_true", help="the backfill's GX pass alone, year 1")
    p.add_argument(
        "--partitions", action="store_true", help="partitioned copies of raw and the fact, timed"
    )
    args = p.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s bench %(message)s", datefmt="%H:%M:%S"
    )
    path = args.results / "results.json"
    results = json.loads(path.read_text())
    from cchc_warehouse import warehouse

    server = os.environ.get("CCHC_WAREHOUSE_URL") or warehouse.start_embedded()
    out = Path(results.get("out") or common.DEFAULT_OUT)
    benv = common.BenchEnv(server, out)
    experiments = results.setdefault("experiments", {})
    if args.gx:
        first = results["stages"][0]
        experiments["gx_backfill"] = gx_backfill_memory(
            benv, benv.child_env(), first["start"], first["end"]
        )
    if args.partitions:
        experiments["partitions"] = partitions(benv, benv.child_env(), results)
    path.write_text(json.dumps(results, default=str, indent=1))
    from bench.results import write_markdown

    print(write_markdown(results, args.results / "RESULTS.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
