"""Experiments beyond the targets, on the warehouse a run leaves behind: the backfill's GX pass
alone in a process, to see its share of the backfill's memory (--gx); whether partitioning raw
tables by export month and the dossier fact by year pays (--partitions, bench/partitions.py);
year 1's ingestion benchmarks measured again (--ingest). Run on its own:

    .venv/bin/python -m bench.experiments [--results DIR] [--gx] [--partitions] [--ingest]

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
from datetime import UTC, date, datetime
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
    return _experiment(benv, env, "gx_batches", {"url": benv.url, "start": start, "end": end})


def _experiment(benv: common.BenchEnv, env: dict, step: str, args: dict) -> dict:
    """One experiment step in a child process, measured; a failure is recorded, not raised."""
    try:
        return run_step(
            step, step, args, env, benv.logs / "experiments", databases=(common.WAREHOUSE_DB,)
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
    year = nd09_year(date.fromisoformat(last["end"]))
    return _experiment(
        benv, env, "partitions", {"url": benv.url, "day": day.isoformat(), "year": year}
    )


def ingest_again(benv: common.BenchEnv, env: dict, results: dict) -> None:
    """The ingestion benchmarks of year 1 again, into a fresh scratch database, on the warehouse
    the run left (its year-1 batches are still published): for a run whose figures need a
    second measurement. The stage's figures are replaced and the run's notes say so."""
    from cchc_warehouse import warehouse

    from bench import ingest

    first = results["stages"][0]
    common.admin(benv.server_url, "drop database if exists {} with (force)", common.SCRATCH_DB)
    common.admin(benv.server_url, "create database {}", common.SCRATCH_DB)
    warehouse.bootstrap(benv.scratch_url)
    log.info("experiment: the ingestion benchmarks of %s .. %s again", first["start"], first["end"])
    first["ingest"] = ingest.run_ingest_bench(
        benv,
        env,
        Path(results["landing"]),
        date.fromisoformat(first["start"]),
        date.fromisoformat(first["end"]),
    )
    benv.drop_scratch()
    results.setdefault("notes", []).append(
        "the ingestion figures of year 1 were measured again after the run"
        f" (`python -m bench.experiments --ingest`, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load"
        f" {common.loadavg()} at the end)"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.experiments", description=__doc__.splitlines()[0]
    )
    p.add_argument("--results", type=Path, default=common.ROOT / "bench")
    p.add_argument("--gx", action="store_true", help="the backfill's GX pass alone, year 1")
    p.add_argument(
        "--partitions", action="store_true", help="partitioned copies of raw and the fact, timed"
    )
    p.add_argument("--ingest", action="store_true", help="year 1's ingestion benchmarks again")
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
    if args.ingest:
        ingest_again(benv, benv.child_env(), results)
    if args.partitions:
        experiments["partitions"] = partitions(benv, benv.child_env(), results)
    path.write_text(json.dumps(results, default=str, indent=1))
    from bench.results import write_markdown

    print(write_markdown(results, args.results / "RESULTS.md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
