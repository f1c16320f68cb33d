"""Shared test fixtures: a session-scoped embedded PostgreSQL and fresh databases on it."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> str:
    """URL of a PostgreSQL server for the whole session.

    CCHC_TEST_SERVER_URL points the tests at an existing server (a superuser URL); otherwise an
    embedded pgserver is started in a temporary CCHC_HOME and stopped at the end.
    """
    external = os.environ.get("CCHC_TEST_SERVER_URL")
    if external:
        yield external
        return
    from cchc_warehouse import warehouse

    # short path: the unix socket path must stay under ~100 characters
    home = Path(f"/tmp/cchc-test-{os.getpid()}")
    home.mkdir(exist_ok=True)
    old = {k: os.environ.get(k) for k in ("CCHC_HOME", "CCHC_WAREHOUSE_URL")}
    os.environ["CCHC_HOME"] = str(home)
    os.environ.pop("CCHC_WAREHOUSE_URL", None)
    url = warehouse.start_embedded()
    try:
        yield url
    finally:
        warehouse.stop_embedded()
        shutil.rmtree(home, ignore_errors=True)
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def create_database(server_url: str, prefix: str = "t") -> str:
    """A new empty database on the server, bootstrapped (schemas, raw/audit tables, roles)."""
    from cchc_warehouse import warehouse

    name = f"{prefix}_{os.getpid()}_{next(_counter)}"
    with psycopg.connect(warehouse.conninfo(server_url), autocommit=True) as conn:
        conn.execute(
            psycopg.sql.SQL("drop database if exists {}").format(psycopg.sql.Identifier(name))
        )
        conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    warehouse.bootstrap(url)
    return url


@pytest.fixture
def fresh_db(pg_server, monkeypatch) -> str:
    """A fresh bootstrapped database for one test; CCHC_WAREHOUSE_URL points at it."""
    url = create_database(pg_server)
    monkeypatch.setenv("CCHC_WAREHOUSE_URL", url)
    return url


@pytest.fixture(scope="module")
def module_db(pg_server) -> str:
    """A fresh bootstrapped database shared by the tests of one module."""
    url = create_database(pg_server, prefix="m")
    old = os.environ.get("CCHC_WAREHOUSE_URL")
    os.environ["CCHC_WAREHOUSE_URL"] = url
    yield url
    if old is None:
        os.environ.pop("CCHC_WAREHOUSE_URL", None)
    else:
        os.environ["CCHC_WAREHOUSE_URL"] = old
