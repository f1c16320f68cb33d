"""What every benchmark module shares: paths, the bench databases and the children's environment,
the machine description, and small helpers (load average, git commit, database size)."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "plugins") not in sys.path:
    sys.path.insert(0, str(ROOT / "plugins"))

VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
CCHC = str(VENV_BIN / "cchc")
DEFAULT_OUT = ROOT / ".cchc" / "bench"

#: the databases a run owns on the embedded server (dropped and recreated at the start of a run);
#: CCHC_BENCH_DB names another set, so that two runs can share a server
WAREHOUSE_DB = os.environ.get("CCHC_BENCH_DB", "cchc_bench")
AIRFLOW_DB = f"{WAREHOUSE_DB}_airflow"
SCRATCH_DB = f"{WAREHOUSE_DB}_scratch"
#: HMAC key for staging's applicant identifiers in the bench database (not a secret)
PII_KEY = "cchc-bench-key"


def with_database(url: str, database: str, user: str | None = None) -> str:
    u = make_url(url).set(database=database)
    if user is not None:
        u = u.set(username=user)
    return u.render_as_string(hide_password=False)


@dataclass
class BenchEnv:
    """The bench's databases on one server, and the environment its child processes get."""

    server_url: str  # any database of the server, as a superuser
    out: Path  # generated data, logs, the bench's CCHC_HOME

    @property
    def home(self) -> Path:
        return self.out / "home"

    @property
    def logs(self) -> Path:
        return self.out / "logs"

    @property
    def url(self) -> str:
        return with_database(self.server_url, WAREHOUSE_DB)

    @property
    def scratch_url(self) -> str:
        return with_database(self.server_url, SCRATCH_DB)

    @property
    def bi_url(self) -> str:
        return with_database(self.server_url, WAREHOUSE_DB, user="bi_reader")

    def airflow_sqlalchemy(self, driver: str = "postgresql+psycopg2") -> str:
        return (
            make_url(self.server_url)
            .set(database=AIRFLOW_DB, drivername=driver)
            .render_as_string(hide_password=False)
        )

    def child_env(self, **extra: str) -> dict[str, str]:
        """The warehouse is the bench database, local state lives in the bench's own CCHC_HOME
        (dbt target, GX results, Airflow home), Airflow's metadata in its own bench database."""
        env = dict(os.environ)
        env.update(
            {
                "CCHC_WAREHOUSE_URL": self.url,
                "CCHC_HOME": str(self.home),
                "CCHC_PII_KEY": PII_KEY,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.airflow_sqlalchemy(),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": self.airflow_sqlalchemy(
                    "postgresql+psycopg_async"
                ),
                "PYTHONPATH": os.pathsep.join(
                    p for p in (str(ROOT), str(ROOT / "plugins"), env.get("PYTHONPATH")) if p
                ),
                "PYTHONUNBUFFERED": "1",
                "GX_ANALYTICS_ENABLED": "False",
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
                "DO_NOT_TRACK": "1",
            }
        )
        env.update(extra)
        return env

    def recreate_databases(self) -> None:
        from cchc_warehouse import warehouse

        for name in (WAREHOUSE_DB, AIRFLOW_DB, SCRATCH_DB):
            admin(self.server_url, "drop database if exists {} with (force)", name)
            admin(self.server_url, "create database {}", name)
        warehouse.bootstrap(self.url)
        warehouse.bootstrap(self.scratch_url)

    def drop_scratch(self) -> None:
        admin(self.server_url, "drop database if exists {} with (force)", SCRATCH_DB)


def admin(server_url: str, statement: str, name: str) -> None:
    from cchc_warehouse import warehouse

    with psycopg.connect(warehouse.conninfo(server_url), autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))


def connect(url: str, **kwargs) -> psycopg.Connection:
    from cchc_warehouse import warehouse

    return psycopg.connect(warehouse.conninfo(url), **kwargs)


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def git_commit() -> dict:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.rstrip()  # porcelain lines start with a status column: keep it

    dirty = git(
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        "plugins",
        "dbt_project",
        "sql",
        "expectations",
        "dags",
        "bench",
    )
    return {
        "commit": git("rev-parse", "HEAD").strip(),
        "short": git("rev-parse", "--short", "HEAD").strip(),
        "subject": git("log", "-1", "--format=%s").strip(),
        "dirty_paths": [line[3:] for line in dirty.splitlines()],
    }


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "hostname": platform.node(),
    }


def server_settings(url: str) -> dict:
    with connect(url) as conn:
        version = conn.execute("select version()").fetchone()[0]
        settings = dict(
            conn.execute(
                "select name, current_setting(name) from pg_settings where name = any(%s)",
                (
                    [
                        "shared_buffers",
                        "work_mem",
                        "maintenance_work_mem",
                        "max_parallel_workers_per_gather",
                        "synchronous_commit",
                        "wal_level",
                        "max_wal_size",
                    ],
                ),
            ).fetchall()
        )
    return {"version": version.split(" on ")[0], **settings}


def database_size(url: str) -> dict:
    """Bytes on disk of the database and of each schema (tables + indexes + toast)."""
    with connect(url) as conn:
        total = conn.execute("select pg_database_size(current_database())").fetchone()[0]
        rows = conn.execute(
            """
            select n.nspname, sum(pg_total_relation_size(c.oid))::bigint
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'm', 'p') and n.nspname not in ('pg_catalog', 'information_schema')
                and n.nspname not like 'pg_toast%%'
            group by 1 order by 2 desc
            """
        ).fetchall()
    return {"total_bytes": total, "schemas": {name: size for name, size in rows}}


def du(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, f)).st_size
    return total
