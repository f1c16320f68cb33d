"""Run one benchmark step in a child process and measure it: wall clock, CPU, the child's peak RSS
(from wait4's rusage: the child and everything it waited for), the PostgreSQL server's share (the
backends of the bench databases, sampled), and the machine's load average while it ran.

PostgreSQL backends are children of the postmaster, not of the step, so the kernel does not add
them to the step's rusage. They are read from /proc every half second: `VmHWM` (a backend's own
high-water mark: exact, but it counts the shared buffers the backend touched) and the sum of
`RssAnon` over the bench databases' backends and their parallel workers (private memory: sorts,
hashes, caches; a sample, so a peak shorter than the interval can be missed).

A child's peak RSS from wait4 is never below the RSS its parent had when it forked it (Linux
counts the forked copy's high-water mark before `exec` replaces it), so the harness keeps its own
process small and records its RSS at each spawn (`harness_rss_mb`): a step whose peak equals it
used less.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
from pathlib import Path

from bench.common import PYTHON, ROOT

SAMPLE_SECONDS = 0.5


class Sampler(threading.Thread):
    """Samples the load average and the memory of the PostgreSQL backends of `databases`."""

    def __init__(self, databases: tuple[str, ...]) -> None:
        super().__init__(daemon=True)
        self.databases = set(databases)
        self._halt = threading.Event()
        self.loads: list[float] = []
        self.pg_private_peak_kb = 0
        self.pg_backend_hwm_kb = 0
        self.pg_backends_seen: set[int] = set()

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(SAMPLE_SECONDS)
        self.sample()

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=5)

    def sample(self) -> None:
        self.loads.append(os.getloadavg()[0])
        if not self.databases:
            return
        private = 0
        ours: set[int] = set()
        workers: list[tuple[int, int]] = []
        try:
            pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
        except OSError:
            return
        for pid in pids:
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if not title.startswith(b"postgres: "):
                continue
            words = title.replace(b"\x00", b" ").decode(errors="replace").split()
            if "parallel" in words and "PID" in words:
                with contextlib.suppress(ValueError, IndexError):
                    workers.append((pid, int(words[words.index("PID") + 1])))
            elif self.databases.intersection(words):
                ours.add(pid)
        ours |= {pid for pid, leader in workers if leader in ours}
        for pid in ours:
            status = _status(pid)
            private += status.get("RssAnon", 0)
            self.pg_backend_hwm_kb = max(self.pg_backend_hwm_kb, status.get("VmHWM", 0))
        self.pg_backends_seen |= ours
        self.pg_private_peak_kb = max(self.pg_private_peak_kb, private)


def _status(pid: int) -> dict[str, int]:
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "VmHWM"):
                out[key] = int(value.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return out


def run_command(
    label: str,
    cmd: list[str],
    env: dict[str, str],
    log_dir: Path,
    *,
    databases: tuple[str, ...] = (),
) -> dict:
    """Run `cmd`, output to `<log_dir>/<label>.log`; return the step's measurements."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{label}.log"
    sampler = Sampler(databases)
    load_start = os.getloadavg()[0]
    sampler.start()
    started = time.perf_counter()
    harness_kb = _own_rss_kb()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    sampler.stop()
    loads = sampler.loads or [load_start]
    return {
        "label": label,
        "returncode": proc.returncode,
        "wall_s": round(wall, 2),
        "user_s": round(usage.ru_utime, 2),
        "sys_s": round(usage.ru_stime, 2),
        "max_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "harness_rss_mb": round(harness_kb / 1024, 1),
        "pg_private_peak_mb": round(sampler.pg_private_peak_kb / 1024, 1),
        "pg_backend_hwm_mb": round(sampler.pg_backend_hwm_kb / 1024, 1),
        "pg_backends": len(sampler.pg_backends_seen),
        "load_start": round(load_start, 2),
        "load_mean": round(sum(loads) / len(loads), 2),
        "load_max": round(max(loads), 2),
        "log": str(log_path),
    }


def _own_rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class StepFailed(RuntimeError):
    pass


def run_step(
    label: str,
    step: str,
    args: dict,
    env: dict[str, str],
    log_dir: Path,
    *,
    databases: tuple[str, ...] = (),
    check: bool = True,
) -> dict:
    """Run `bench.child <step>` with `args` (JSON); the measurements plus the step's own result."""
    log_dir.mkdir(parents=True, exist_ok=True)
    args_path = log_dir / f"{label}.args.json"
    result_path = log_dir / f"{label}.result.json"
    args_path.write_text(json.dumps(args, default=str, indent=1))
    result_path.unlink(missing_ok=True)
    measured = run_command(
        label,
        [PYTHON, "-m", "bench.child", step, str(args_path), str(result_path)],
        env,
        log_dir,
        databases=databases,
    )
    result = json.loads(result_path.read_text()) if result_path.exists() else None
    measured["result"] = result
    if check and (measured["returncode"] != 0 or result is None):
        tail = Path(measured["log"]).read_text(errors="replace").splitlines()[-15:]
        raise StepFailed(
            f"step {label} failed (exit {measured['returncode']}):\n" + "\n".join(tail)
        )
    return measured
