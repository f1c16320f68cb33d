"""Airflow for the end-to-end tests: configured once per session (before anything imports airflow),
its metadata in a database of its own on the session's PostgreSQL server."""

from __future__ import annotations

import contextlib
import os

import psycopg
import pytest

from tests.conftest import create_database


@pytest.fixture(scope="session")
def airflow_session(pg_server):
    """Airflow configured for this session: metadata database `airflow_<pid>`, dags/ of the project."""
    from cchc_warehouse import airflow_env, warehouse
    from sqlalchemy.engine import make_url

    name = f"airflow_{os.getpid()}"
    with psycopg.connect(warehouse.conninfo(pg_server), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}"')
        conn.execute(f'create database "{name}"')
    meta = make_url(pg_server).set(database=name, drivername="postgresql+psycopg2")
    os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = meta.render_as_string(hide_password=False)
    os.environ["CCHC_LANDING_DEADLINE"] = "06:00"
    airflow_env.apply()
    airflow_env.migrate()
    yield
    from airflow import settings
    from sqlalchemy.exc import OperationalError

    # close Airflow's pooled connections before the server stops; the fault tests restart the
    # server, so they may have died with it already and there is nothing to close
    with contextlib.suppress(OperationalError):
        settings.dispose_orm()
    os.environ.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)


@pytest.fixture(scope="module")
def e2e_warehouse(pg_server, airflow_session):
    """A fresh warehouse database for one e2e module; Airflow's tasks (in-process) write into it."""
    from cchc_warehouse import airflow_env

    url = create_database(pg_server, prefix="e2e")
    old = os.environ.get("CCHC_WAREHOUSE_URL")
    os.environ["CCHC_WAREHOUSE_URL"] = url
    airflow_env.apply()  # the dbt profile variables follow the warehouse URL
    yield url
    if old is None:
        os.environ.pop("CCHC_WAREHOUSE_URL", None)
    else:
        os.environ["CCHC_WAREHOUSE_URL"] = old
