"""dbt and Cosmos configuration: the profile comes from the warehouse URL, never from the repository."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from pathlib import Path

from sqlalchemy.engine import make_url

from cchc_warehouse.warehouse import PROJECT_ROOT, home, warehouse_url

log = logging.getLogger(__name__)

DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
PROFILE_NAME = "cchc"
TARGET = "warehouse"


def dbt_env(url: str | None = None) -> dict[str, str]:
    """Environment variables read by dbt_project/profiles.yml, derived from the warehouse URL."""
    u = make_url(url or warehouse_url())
    host = u.query.get("host") or u.host or "localhost"
    if isinstance(host, tuple):
        host = host[0]
    return {
        "CCHC_DBT_HOST": str(host),
        "CCHC_DBT_PORT": str(u.port or 5432),
        "CCHC_DBT_USER": u.username or "postgres",
        "CCHC_DBT_PASSWORD": u.password or "",
        "CCHC_DBT_DBNAME": u.database or "postgres",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def target_path() -> Path:
    return home() / "dbt" / "target"


def run_dbt(
    args: list[str],
    url: str | None = None,
    *,
    offline: bool = False,
    quiet: bool = False,
    child: bool = False,
) -> None:
    """Run a dbt command (dbtRunner); raise with dbt's own message when it fails.

    `quiet`: dbt's line per node goes to its log file only, and one summary line is logged.
    `child`: in a fresh process, so that dbt's memory (the parsed project, its adapter) goes back to
    the OS when the command ends and does not add up with what this process already holds (the
    backfill's GX pass).
    """
    from cchc_warehouse.errors import CchcError

    log.info("dbt %s", " ".join(args))
    started = time.perf_counter()
    if child:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(1) as pool:
            error, counts = pool.apply(_invoke, (args, url, offline, quiet))
    else:
        error, counts = _invoke(args, url, offline, quiet)
    if error:
        raise CchcError(error)
    if quiet:
        log.info("dbt %s: %s in %.1f s", args[0], counts, time.perf_counter() - started)


def _invoke(args: list[str], url: str | None, offline: bool, quiet: bool) -> tuple[str, str]:
    """(error message or '', '31 models, 121 tests passed') of one dbtRunner invocation."""
    from dbt.cli.main import dbtRunner

    if not offline:
        os.environ.update(dbt_env(url))
    full = [
        *(["--log-level", "warn", "--log-level-file", "info"] if quiet else []),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path()),
        "--log-path",
        str(home() / "dbt" / "logs"),
    ]
    result = dbtRunner().invoke(full)
    if not result.success:
        detail = result.exception or _failed_nodes(result.result)
        return f"dbt {args[0]} failed: {detail} (log: {home() / 'dbt' / 'logs' / 'dbt.log'})", ""
    return "", _counts(result.result)


def _counts(result) -> str:
    """'31 models, 121 tests, 5 seeds passed' from a dbt run result."""
    try:
        kinds = Counter(r.node.resource_type for r in result.results)
    except AttributeError:
        return "done"
    names = {"model": "models", "test": "tests", "seed": "seeds", "snapshot": "snapshots"}
    parts = [
        f"{n} {names.get(str(k), str(k))}"
        for k, n in sorted(kinds.items(), key=lambda kv: str(kv[0]))
    ]
    return ", ".join(parts) + " passed"


def _failed_nodes(result) -> str:
    try:
        bad = [r for r in result.results if str(r.status) in ("error", "fail")]
        return "; ".join(f"{r.node.name}: {(r.message or '').strip()[:300]}" for r in bad[:5])
    except Exception:  # noqa: BLE001 - only for the message
        return "see the dbt log above"


def manifest_path() -> Path:
    return target_path() / "manifest.json"


def ensure_manifest() -> Path:
    """dbt's manifest.json, re-parsed when any file of the dbt project is newer. Run before the
    Airflow components start: a broken dbt project is reported then, with dbt's own message, not
    at the first night's build."""
    path = manifest_path()
    newest = max(
        (
            p.stat().st_mtime
            for p in DBT_PROJECT_DIR.rglob("*")
            if p.is_file() and "target" not in p.parts
        ),
        default=0.0,
    )
    if not path.exists() or path.stat().st_mtime < newest:
        os.environ.update({k: v for k, v in dbt_env_offline().items() if k not in os.environ})
        run_dbt(["parse"], url=None, offline=True)
    return path


def dbt_env_offline() -> dict[str, str]:
    """Profile variables for commands that never connect (parse): no warehouse is started."""
    return {
        "CCHC_DBT_HOST": "localhost",
        "CCHC_DBT_PORT": "5432",
        "CCHC_DBT_USER": "postgres",
        "CCHC_DBT_PASSWORD": "",
        "CCHC_DBT_DBNAME": "postgres",
    }
