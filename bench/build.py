"""dbt builds: full (`--full-refresh`) and incremental (`dbt build` with the watermarks as they are),
timed in a child process, with dbt's own per-node times (run_results.json) to say what grows."""

from __future__ import annotations

import json
import time
from pathlib import Path


def run_results_summary(path: Path | None = None, top: int = 8) -> dict:
    """Per-node times of the last dbt invocation: models and tests in total, the slowest nodes."""
    if path is None:
        from cchc_warehouse import dbt

        path = dbt.target_path() / "run_results.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    results = data.get("results", [])
    by_type: dict[str, float] = {}
    nodes = []
    for r in results:
        kind = r["unique_id"].split(".")[0]
        t = float(r.get("execution_time") or 0)
        by_type[kind] = by_type.get(kind, 0.0) + t
        nodes.append(
            (
                t,
                r["unique_id"].split(".")[-1] if kind != "test" else r["unique_id"].split(".")[2],
                kind,
                r.get("status"),
            )
        )
    nodes.sort(reverse=True)
    return {
        "elapsed_s": round(float(data.get("elapsed_time") or 0), 2),
        "nodes": len(results),
        "seconds_by_type": {k: round(v, 2) for k, v in sorted(by_type.items())},
        "slowest": [
            {"node": name, "type": kind, "seconds": round(t, 2), "status": str(status)}
            for t, name, kind, status in nodes[:top]
        ],
        "failed": [name for t, name, kind, status in nodes if str(status) in ("error", "fail")],
    }


def node_seconds(path: Path | None = None) -> dict[str, float]:
    if path is None:
        from cchc_warehouse import dbt

        path = dbt.target_path() / "run_results.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {
        r["unique_id"]: round(float(r.get("execution_time") or 0), 2)
        for r in data.get("results", [])
    }


def step_dbt_build(full_refresh: bool = False) -> dict:
    """Child step: `dbt build` (models, seeds, tests) into the bench warehouse."""
    from cchc_warehouse import dbt

    args = ["build", *(["--full-refresh"] if full_refresh else [])]
    started = time.perf_counter()
    dbt.run_dbt(args)
    seconds = time.perf_counter() - started
    return {
        "full_refresh": full_refresh,
        "seconds": round(seconds, 2),
        "dbt": run_results_summary(),
        "node_seconds": node_seconds(),
    }
