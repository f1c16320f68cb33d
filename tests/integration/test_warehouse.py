"""The embedded warehouse: bootstrap is idempotent and the BI role reads marts only."""

import psycopg
import pytest
from cchc_warehouse import warehouse
from sqlalchemy.engine import make_url


def test_bootstrap_is_idempotent(fresh_db):
    warehouse.bootstrap(fresh_db)
    with warehouse.connect(fresh_db) as conn:
        schemas = {r[0] for r in conn.execute("select nspname from pg_namespace")}
    assert {"raw", "quarantine", "audit", "staging", "intermediate", "marts"} <= schemas


def test_bi_reader_reads_marts_only(fresh_db):
    with warehouse.connect(fresh_db, autocommit=True) as conn:
        conn.execute("create table marts.t_probe (x int)")
        conn.execute("insert into marts.t_probe values (1)")
    bi = make_url(fresh_db).set(username="bi_reader").render_as_string(hide_password=False)
    with psycopg.connect(warehouse.conninfo(bi), autocommit=True) as conn:
        assert conn.execute("select x from marts.t_probe").fetchone() == (1,)
        for table in ("raw.onestop_hoso", "audit.load_batches", "quarantine.records"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select 1 from {table} limit 1")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("insert into marts.t_probe values (2)")


def test_raw_tables_match_the_source_specs(fresh_db):
    """sql/20_raw.sql and the readers of sources/ describe the same columns, in the same order."""
    from cchc_warehouse.sources import SPECS

    with warehouse.connect(fresh_db) as conn:
        for spec in SPECS.values():
            schema, table = spec.table.split(".")
            columns = [
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns where table_schema = %s "
                    "and table_name = %s order by ordinal_position",
                    (schema, table),
                )
            ]
            assert columns == [
                *spec.columns,
                "_extra",
                "_batch_id",
                "_export_date",
                "_file",
                "_line",
            ], spec.table
