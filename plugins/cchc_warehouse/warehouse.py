"""Where the warehouse lives: its URL, the embedded PostgreSQL (pgserver) and the SQL bootstrap."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from cchc_warehouse.errors import WarehouseError

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AIRFLOW_DB = "airflow"


def home() -> Path:
    """The project's state folder (`.cchc/` in the project root unless CCHC_HOME says otherwise)."""
    return Path(os.environ.get("CCHC_HOME") or PROJECT_ROOT / ".cchc")


def pgdata() -> Path:
    return home() / "pgdata"


def is_embedded() -> bool:
    return not os.environ.get("CCHC_WAREHOUSE_URL")


def _postmaster_uri(database: str = "postgres") -> str | None:
    """The URI of the embedded server if it is running, read from postmaster.pid (no pgserver import)."""
    pid_file = pgdata() / "postmaster.pid"
    if not pid_file.exists():
        return None
    lines = pid_file.read_text().splitlines()
    if len(lines) < 8 or lines[7].strip() != "ready":
        return None
    try:
        os.kill(int(lines[0]), 0)
    except (ProcessLookupError, ValueError):
        return None
    except PermissionError:
        pass  # running as another user (pgserver runs postgres as 'pgserver' under root)
    socket_dir = lines[4].strip()
    return f"postgresql://postgres:@/{database}?host={socket_dir}"


def start_embedded() -> str:
    """Start the embedded PostgreSQL if it is not running; return its URL. It outlives this process."""
    uri = _postmaster_uri()
    if uri:
        return uri
    import pgserver  # slow import: only when the server really has to start
    from pgserver.postgres_server import PostgresServer

    pgdata().mkdir(parents=True, exist_ok=True)
    # pgserver remembers servers it started in this process; this one is not running any more
    PostgresServer._instances.pop(pgdata().expanduser().resolve(), None)
    log.info("starting the embedded PostgreSQL in %s", pgdata())
    server = pgserver.get_server(pgdata(), cleanup_mode=None)
    uri = server.get_uri("postgres")
    _ensure_database(uri, AIRFLOW_DB)
    return uri


def stop_embedded() -> bool:
    """Stop the embedded PostgreSQL; False when it was not running."""
    if _postmaster_uri() is None:
        return False
    import subprocess

    from pgserver._commands import POSTGRES_BIN_PATH

    cmd = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata()), "-w", "-m", "fast", "stop"]
    if os.geteuid() == 0:
        cmd = ["su", "pgserver", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]
    subprocess.run(cmd, check=True, capture_output=True)
    return True


def warehouse_url() -> str:
    """CCHC_WAREHOUSE_URL, or the embedded server's URL (started on first use)."""
    url = os.environ.get("CCHC_WAREHOUSE_URL")
    if url:
        return url
    return start_embedded()


def airflow_db_url() -> str:
    """SQLAlchemy URL of Airflow's metadata database: its own database on the warehouse server."""
    from sqlalchemy.engine import make_url

    url = make_url(warehouse_url())
    return url.set(drivername="postgresql+psycopg2", database=AIRFLOW_DB).render_as_string(
        hide_password=False
    )


def _ensure_database(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))


def conninfo(url: str | None = None) -> str:
    """A libpq connection string for psycopg (drops any SQLAlchemy driver suffix)."""
    from sqlalchemy.engine import make_url

    u = make_url(url or warehouse_url())
    u = u.set(drivername="postgresql")
    return u.render_as_string(hide_password=False)


@contextmanager
def connect(url: str | None = None, **kwargs) -> Iterator[psycopg.Connection]:
    """A psycopg connection to the warehouse, with a clear error when it cannot be reached."""
    try:
        conn = psycopg.connect(conninfo(url), **kwargs)
    except psycopg.OperationalError as exc:
        raise WarehouseError(f"cannot connect to the warehouse: {_first_line(exc)}") from exc
    try:
        with conn:
            yield conn
    except psycopg.OperationalError as exc:
        # the server went away mid-work (restart, crash, network): the transaction is rolled back
        raise WarehouseError(
            f"lost the connection to the warehouse ({_first_line(exc)}); the unfinished "
            "transaction was rolled back, nothing partial was kept: retry"
        ) from exc


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


SQL_DIR = PROJECT_ROOT / "sql"


def bootstrap(url: str | None = None) -> None:
    """Apply sql/*.sql in order (idempotent): schemas, raw/quarantine/audit tables, roles."""
    with connect(url, autocommit=False) as conn:
        # one bootstrap at a time (parallel tasks may all call it on first use)
        conn.execute("select pg_advisory_xact_lock(hashtext('cchc bootstrap'))")
        for path in sorted(SQL_DIR.glob("*.sql")):
            conn.execute(path.read_text(encoding="utf-8"))
        password = os.environ.get("CCHC_BI_PASSWORD")
        if password:
            conn.execute(
                psycopg.sql.SQL("alter role bi_reader password {}").format(
                    psycopg.sql.Literal(password)
                )
            )
        conn.commit()
