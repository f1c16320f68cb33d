"""Airflow on the embedded default: its configuration as environment variables, its metadata
database (a database of its own on the warehouse server), and `make airflow`'s process group."""

from __future__ import annotations

import json
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from cchc_warehouse.warehouse import AIRFLOW_DB, PROJECT_ROOT, home, warehouse_url

log = logging.getLogger(__name__)

TIMEZONE = "Asia/Ho_Chi_Minh"
API_PORT = int(os.environ.get("CCHC_AIRFLOW_PORT", "8080"))
DBT_POOL = "dbt"
# dbt commands on the warehouse (the build DAG's `dbt build`, the publish DAG's `dbt docs`) take a
# slot of this pool; two builds never overlap anyway (build_warehouse has max_active_runs=1).
# CCHC_DBT_POOL_SLOTS changes it.
DBT_POOL_SLOTS = int(os.environ.get("CCHC_DBT_POOL_SLOTS", "2"))
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def airflow_home() -> Path:
    return home() / "airflow"


def metadata_url(driver: str = "postgresql+psycopg2") -> str:
    """Airflow's metadata database: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN if set, else the `airflow`
    database on the warehouse server."""
    from sqlalchemy.engine import make_url

    configured = os.environ.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN")
    url = make_url(configured) if configured else make_url(warehouse_url()).set(database=AIRFLOW_DB)
    return url.set(drivername=driver).render_as_string(hide_password=False)


def metadata_conninfo() -> str:
    return metadata_url("postgresql")


def environment(landing_dir: str | Path | None = None) -> dict[str, str]:
    """Environment variables that configure Airflow for this project (merged over os.environ)."""
    from cchc_warehouse.dbt import dbt_env

    landing_dir = landing_dir or os.environ.get("CCHC_LANDING_DIR") or str(home() / "landing")
    ah = airflow_home()
    env = {
        "AIRFLOW_HOME": str(ah),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": TIMEZONE,
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(ah / "passwords.json"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url("postgresql+psycopg2"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata_url("postgresql+psycopg_async"),
        "AIRFLOW__API__PORT": str(API_PORT),
        "AIRFLOW__API__BASE_URL": f"http://localhost:{API_PORT}",
        "AIRFLOW__API_AUTH__JWT_SECRET": _secret(ah, "jwt_secret"),
        "AIRFLOW__API__SECRET_KEY": _secret(ah, "api_secret"),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(ah / "logs"),
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "30",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
        "AIRFLOW__COSMOS__CACHE_DIR": str(home() / "cosmos"),
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__COSMOS__PROPAGATE_LOGS": "False",
        "AIRFLOW_CONN_CCHC_LANDING": json.dumps(
            {"conn_type": "fs", "extra": {"path": str(landing_dir)}}
        ),
        "CCHC_LANDING_DIR": str(landing_dir),
        "CCHC_HOME": str(home()),
        "NO_PROXY": "*",  # macOS fork safety and no proxies for the local API
        **dbt_env(),
    }
    if os.environ.get("CCHC_WAREHOUSE_URL"):
        env["CCHC_WAREHOUSE_URL"] = os.environ["CCHC_WAREHOUSE_URL"]
    return env


def _secret(ah: Path, name: str) -> str:
    """A per-installation secret kept in AIRFLOW_HOME (never in the repository)."""
    ah.mkdir(parents=True, exist_ok=True)
    path = ah / f".{name}"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def apply(landing_dir: str | Path | None = None) -> dict[str, str]:
    """Put Airflow's configuration into this process's environment (before importing airflow)."""
    env = environment(landing_dir)
    os.environ.update(env)
    return env


def migrate(env: dict[str, str] | None = None) -> None:
    """Create or upgrade Airflow's metadata database and the dbt pool (idempotent)."""
    env = {**os.environ, **(env or environment())}
    airflow = str(Path(sys.executable).with_name("airflow"))
    subprocess.run([airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            airflow,
            "pools",
            "set",
            DBT_POOL,
            str(DBT_POOL_SLOTS),
            "dbt commands on the warehouse: the build DAG's dbt build, the publish DAG's dbt docs",
        ],
        env=env,
        check=True,
        capture_output=True,
    )


def admin_password() -> str | None:
    path = airflow_home() / "passwords.json"
    if path.exists():
        try:
            return json.loads(path.read_text()).get("admin")
        except (ValueError, AttributeError):
            return None
    return None


def run_stack(landing_dir: str | Path | None = None) -> int:
    """`make airflow`: api-server, scheduler, dag-processor and triggerer in one process group;
    Ctrl-C stops them all (no orphaned children)."""
    from cchc_warehouse import dbt
    from cchc_warehouse.warehouse import bootstrap

    bootstrap()
    env = {**os.environ, **environment(landing_dir or _stack_landing())}
    _catch_up_range(Path(env["CCHC_LANDING_DIR"]), env)
    log.info("preparing Airflow's metadata database (%s)", AIRFLOW_DB)
    migrate(env)
    dbt.ensure_manifest()
    airflow = str(Path(sys.executable).with_name("airflow"))
    logs = airflow_home() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    procs: list[subprocess.Popen] = []
    for component in COMPONENTS:
        out = (logs / f"{component}.log").open("ab")
        procs.append(
            subprocess.Popen(
                [airflow, component],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        log.info(
            "started airflow %s (pid %d), log %s",
            component,
            procs[-1].pid,
            logs / f"{component}.log",
        )
    _wait_for_api()
    password = admin_password() or "(see %s)" % (airflow_home() / "passwords.json")
    print(f"\nAirflow UI: http://localhost:{API_PORT}  login: admin / {password}")
    print(f"Landing folder: {env['CCHC_LANDING_DIR']}  Warehouse: {warehouse_url()}")
    print("Press Ctrl-C to stop Airflow.\n", flush=True)

    def stop(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)  # also when started from a script that ignores SIGINT
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        dead = [c for c, p in zip(COMPONENTS, procs, strict=True) if p.poll() is not None]
        log.error("airflow %s exited; stopping the others (see %s)", ", ".join(dead), logs)
        return 1
    except KeyboardInterrupt:
        log.info("stopping Airflow")
        return 0
    finally:
        _stop_all(procs)


def _export_days(landing: Path) -> list[str]:
    return sorted(
        p.name
        for system in ("onestop", "docmgmt", "portal")
        if (landing / system).is_dir()
        for p in (landing / system).iterdir()
        if p.is_dir() and len(p.name) == 10
    )


def _stack_landing() -> str | None:
    """CCHC_LANDING_DIR when set; else `.cchc/landing`, or — when that holds no export day and
    `make demo` has run — the demo's landing folder, so that `make airflow` after `make demo`
    shows the demo's nights."""
    if os.environ.get("CCHC_LANDING_DIR"):
        return None
    default, demo = home() / "landing", home() / "demo" / "landing"
    if not _export_days(default) and _export_days(demo):
        log.info("%s holds no export day: using the demo's landing folder %s", default, demo)
        return str(demo)
    return None


def _catch_up_range(landing: Path, env: dict[str, str]) -> None:
    """Unless CCHC_START_DATE / CCHC_END_DATE are set, the nights to catch up are the export days
    present in the landing folder (so a local landing from 2021 does not schedule five empty years)
    that the warehouse has not met yet (so that after `make demo`, or a backfill, the scheduler
    does not first walk past every night already run). Days it has met are rerun from the UI."""
    found = _export_days(landing)
    if not found:
        log.warning("the landing folder %s has no export days yet; the DAGs wait for them", landing)
        return
    start = found[0]
    met = _last_day_met()
    if met and met >= found[0]:
        start = min((date.fromisoformat(met) + timedelta(days=1)).isoformat(), found[-1])
        log.info("the warehouse has met the export days up to %s (cchc status)", met)
    env.setdefault("CCHC_START_DATE", start)
    env.setdefault("CCHC_END_DATE", found[-1])
    log.info(
        "the ingest DAGs catch up export days %s .. %s from %s",
        env["CCHC_START_DATE"],
        env["CCHC_END_DATE"],
        landing,
    )


def _last_day_met() -> str | None:
    """The last export day with a load batch or a day event (missing, failed) in the warehouse."""
    from cchc_warehouse.warehouse import connect

    with connect() as conn:
        row = conn.execute(
            "select greatest((select max(export_date) from audit.load_batches),"
            " (select max(export_date) from audit.day_events))"
        ).fetchone()
    return row[0].isoformat() if row and row[0] else None


def _stop_all(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.time() + 20
    for p in procs:
        try:
            p.wait(max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def _wait_for_api(timeout: float = 120) -> None:
    import urllib.request

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://localhost:{API_PORT}/api/v2/monitor/health", timeout=2
            ):
                return
        except OSError:
            time.sleep(1)
    log.warning("the Airflow API did not answer within %d s; see its log", timeout)
