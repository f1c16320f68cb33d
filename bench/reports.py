"""The province-year report: bench/bench_report.py (its own benchmark, maintained with the reports)
run against the bench warehouse when it is present; its printed medians are parsed."""

from __future__ import annotations

import re
from pathlib import Path

from bench.common import PYTHON, ROOT
from bench.memory import run_command

SCRIPT = ROOT / "bench" / "bench_report.py"
MEDIAN = re.compile(r"^median: (.*)$", re.M)
PHASE = re.compile(r"([\w+]+) ([\d.]+) s")
COMMAND = re.compile(r"wall clock .*?: median ([\d.]+) s, max ([\d.]+) s")
SIZES = re.compile(r"^year \d+: ([\d,]+) dossiers .*?, (\d+) agencies", re.M)


def run_report_bench(
    url: str, year: int, env: dict, log_dir: Path, label: str, runs: int = 2
) -> dict:
    if not SCRIPT.exists():
        return {"skipped": "bench/bench_report.py is not present"}
    measured = run_command(
        label,
        [PYTHON, str(SCRIPT), "--url", url, "--year", str(year), "--runs", str(runs)],
        env,
        log_dir,
    )
    text = Path(measured["log"]).read_text(errors="replace")
    out = {"year": year, "runs": runs, **measured}
    if m := MEDIAN.search(text):
        out["phases_median_s"] = {k: float(v) for k, v in PHASE.findall(m.group(1))}
    if m := COMMAND.search(text):
        out["command_median_s"] = float(m.group(1))
        out["command_max_s"] = float(m.group(2))
    if m := SIZES.search(text):
        out["dossiers"] = int(m.group(1).replace(",", ""))
        out["agencies"] = int(m.group(2))
    if measured["returncode"] != 0:
        out["error"] = text.strip().splitlines()[-1] if text.strip() else "no output"
    return out
