"""The Metabase dashboard's queries (docker/metabase/queries/*.sql) on a real warehouse, as the
`bi_reader` role the dashboard connects with — without Docker: a month of simulated exports is
loaded and built into the marts of the embedded PostgreSQL, then every query of
docker/metabase/dashboard.json runs as bi_reader with the values its dashboard filters can take.

Also: bi_reader reads marts and nothing else (raw, quarantine, audit, staging, intermediate are
closed to it) and cannot write.
"""

from __future__ import annotations

import importlib.util
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from cchc_warehouse import pipeline, warehouse
from cchc_warehouse.simulate import generate
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[2]
# one nd09 month (2021-12: 15/11-14/12/2021), which spans the calendar months 2021-11 and 2021-12
START, END = date(2021, 11, 15), date(2021, 12, 14)

pytestmark = pytest.mark.slow


def _provision_module():
    spec = importlib.util.spec_from_file_location(
        "cchc_metabase_provision", ROOT / "docker" / "metabase" / "provision.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


provision = _provision_module()
DASHBOARD = provision.load_dashboard()
CARDS = {card["key"]: card for card in DASHBOARD["cards"]}
PARAMS = {p["id"]: p for p in DASHBOARD["parameters"]}
DEFAULTS = {p["id"]: p["default"] for p in DASHBOARD["parameters"]}


def render(sql: str) -> str:
    """The query as Metabase runs it: each {{variable}} becomes a bound text value (psycopg's
    %(name)s placeholder), a literal % is escaped."""
    return provision.TAG.sub(lambda m: f"%({m.group(1)})s", sql.replace("%", "%%"))


@pytest.fixture(scope="module")
def built(module_db, tmp_path_factory):
    """module_db with the marts built from a month of small simulated exports (defects on)."""
    landing = tmp_path_factory.mktemp("bi_landing")
    generate(landing, START, END, seed=11, scale="small")
    old = os.environ.get("CCHC_PII_KEY")
    os.environ["CCHC_PII_KEY"] = "bi-dashboard-test-key"
    try:
        report = pipeline.backfill(landing, START, END, url=module_db)
    finally:
        if old is None:
            os.environ.pop("CCHC_PII_KEY", None)
        else:
            os.environ["CCHC_PII_KEY"] = old
    assert any(o.status == "published" for o in report.outcomes), report.render()
    return module_db


@pytest.fixture(scope="module")
def bi_url(built) -> str:
    """The same database, as the BI role: the embedded server trusts local connections; another
    server (CCHC_TEST_SERVER_URL) takes the password the bootstrap set from CCHC_BI_PASSWORD."""
    url = make_url(built).set(username="bi_reader", password=os.environ.get("CCHC_BI_PASSWORD"))
    return url.render_as_string(hide_password=False)


def run_as_bi(bi_url: str, card_key: str, values: dict[str, str]) -> tuple[list[str], list[dict]]:
    sql = render(CARDS[card_key]["sql"])
    with psycopg.connect(warehouse.conninfo(bi_url)) as conn:
        assert conn.execute("select current_user").fetchone()[0] == "bi_reader"
        cur = conn.execute(sql, values)
        columns = [d.name for d in cur.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cur.fetchall()]
    return columns, rows


def superuser_scalar(url: str, sql: str, params: tuple = ()):
    with warehouse.connect(url) as conn:
        return conn.execute(sql, params).fetchone()[0]


# --- every query, every filter value -------------------------------------------------------------


@pytest.mark.parametrize("card_key", sorted(CARDS))
@pytest.mark.parametrize("convention", PARAMS["period_convention"]["values"])
@pytest.mark.parametrize("period_type", PARAMS["period_type"]["values"])
def test_query_runs_as_bi_reader_with_the_declared_columns(
    bi_url, card_key, convention, period_type
):
    columns, rows = run_as_bi(
        bi_url, card_key, {"period_convention": convention, "period_type": period_type}
    )
    assert columns == CARDS[card_key]["columns"]
    # the month of data lies in one nd09 month, quarter and year, and in two calendar months
    if (convention, period_type) in {
        ("nd09", "month"),
        ("nd09", "quarter"),
        ("nd09", "year"),
        ("calendar", "month"),
        ("calendar", "quarter"),
        ("calendar", "year"),
    }:
        assert rows, f"{card_key} returned no rows for {convention}/{period_type}"


@pytest.fixture(scope="module")
def default_results(bi_url) -> dict[str, list[dict]]:
    """Every card with the dashboard's default filters (what a user sees first)."""
    return {key: run_as_bi(bi_url, key, DEFAULTS)[1] for key in CARDS}


def test_defaults_show_the_loaded_month(default_results):
    assert DEFAULTS == {"period_convention": "nd09", "period_type": "month"}
    for key, rows in default_results.items():
        if "period_label" not in CARDS[key]["columns"]:
            continue  # not a card by period (received_by_day: the last 90 days)
        labels = {r["period_label"] for r in rows}
        assert "2021-12" in labels, f"{key}: {sorted(labels)}"


# --- plausible values ------------------------------------------------------------------------------


def test_province_on_time_rate(default_results):
    rows = default_results["province_on_time_rate"]
    assert [r["period_start"] for r in rows] == sorted(r["period_start"] for r in rows)
    for r in rows:
        assert 0 <= r["resolved_in_time"] <= r["resolved"]
        if r["resolved"]:
            assert isinstance(r["on_time_rate"], Decimal)
            assert 0 <= r["on_time_rate"] <= 100
            expected = round(Decimal(100) * r["resolved_in_time"] / r["resolved"], 2)
            assert r["on_time_rate"] == expected
        else:
            assert r["on_time_rate"] is None
    month = next(r for r in rows if r["period_label"] == "2021-12")
    assert month["resolved"] > 50  # a small province still resolves hundreds of dossiers a month


def test_on_time_rate_by_agency_sums_to_the_province(default_results):
    by_agency = default_results["on_time_rate_by_agency"]
    assert len({r["agency_code"] for r in by_agency}) > 1
    for r in by_agency:
        assert r["resolved"] > 0  # the query leaves out agencies that resolved nothing
        assert 0 <= r["on_time_rate"] <= 100
        assert r["resolved_in_time"] + r["resolved_late"] == r["resolved"]
        assert r["agency_name"]
    province = {r["period_label"]: r for r in default_results["province_on_time_rate"]}
    for label, prov in province.items():
        mine = [r for r in by_agency if r["period_label"] == label]
        assert sum(r["resolved"] for r in mine) == prov["resolved"]
        assert sum(r["resolved_in_time"] for r in mine) == prov["resolved_in_time"]


def test_agency_names_come_from_the_directory(built, default_results):
    named = [
        r for r in default_results["on_time_rate_by_agency"] if r["agency_name"] != r["agency_code"]
    ]
    assert named, "no agency was matched to dim_agency"
    for r in named[:5]:
        assert r["agency_name"] == superuser_scalar(
            built,
            "select agency_name from marts.dim_agency where agency_code = %s "
            "order by valid_from desc limit 1",
            (r["agency_code"],),
        )


def test_online_share_against_the_dossier_fact(built, default_results):
    rows = default_results["online_share"]
    for r in rows:
        assert 0 <= r["received_online"] <= r["received"]
        if r["received"]:
            assert 0 <= r["online_share"] <= 100
    month = next(r for r in rows if r["period_label"] == "2021-12")
    # counted independently from the fact: accepted in 15/11-14/12/2021, online channel
    received = superuser_scalar(
        built,
        "select count(*) from marts.fct_dossiers_received where accepted_date between %s and %s",
        (START, END),
    )
    online = superuser_scalar(
        built,
        "select count(*) from marts.fct_dossiers_received "
        "where accepted_date between %s and %s and channel = 'truc_tuyen'",
        (START, END),
    )
    assert received > 0
    assert (month["received"], month["received_online"]) == (received, online)
    assert 0 < month["online_share"] < 100  # the simulator mixes channels


def test_documents_by_sending_form(built, default_results):
    rows = default_results["documents_by_sending_form"]
    forms = {r["sending_form"] for r in rows}
    assert forms == {"DIEN_TU", "SONG_SONG", "GIAY"}
    assert all(r["documents"] >= 0 for r in rows)
    assert all(r["sending_form_name_vi"] != r["sending_form"] for r in rows)  # labelled by the seed
    month = [r for r in rows if r["period_label"] == "2021-12"]
    assert len(month) == 3
    total = sum(r["documents"] for r in month)
    assert total > 0
    outgoing = superuser_scalar(
        built,
        "select sum(outgoing) from marts.rpt_document_exchange "
        "where period_convention = 'nd09' and period_type = 'month' and period_label = '2021-12'",
    )
    assert total <= outgoing  # a document with an unreadable form is outgoing but in no form


def test_received_by_day_against_the_dossier_fact(built, default_results):
    rows = default_results["received_by_day"]
    # counted from the per-dossier fact: the 90 days up to the latest acceptance day
    with warehouse.connect(built) as conn:
        counted = dict(
            conn.execute(
                "select accepted_date, count(*) from marts.fct_dossiers_received"
                " where accepted_date > (select max(accepted_date) - 90"
                " from marts.fct_dossiers_received) group by 1"
            ).fetchall()
        )
    assert {r["accepted_date"]: r["received"] for r in rows} == counted
    assert len(rows) > 20
    assert all(
        r["received_online"] <= r["received"] and r["resolved"] <= r["received"] for r in rows
    )


# --- what bi_reader may not do --------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["raw", "quarantine", "audit", "staging", "intermediate"])
def test_bi_reader_cannot_read_outside_marts(built, bi_url, schema):
    with warehouse.connect(built) as conn:
        relation = conn.execute(
            "select table_name from information_schema.tables where table_schema = %s "
            "order by table_name limit 1",
            (schema,),
        ).fetchone()
    assert relation, f"nothing in {schema} to try"
    query = psycopg.sql.SQL("select * from {}.{} limit 1").format(
        psycopg.sql.Identifier(schema), psycopg.sql.Identifier(relation[0])
    )
    with (
        psycopg.connect(warehouse.conninfo(bi_url)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(query)


def test_bi_reader_cannot_write_marts(bi_url):
    with (
        psycopg.connect(warehouse.conninfo(bi_url)) as conn,
        pytest.raises(
            (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)
        ),
    ):
        conn.execute("delete from marts.fct_dossiers_received")


def test_bi_sessions_read_local_days(bi_url):
    with psycopg.connect(warehouse.conninfo(bi_url)) as conn:
        # 18:30 UTC on 30/11 is 01:30 on 1/12 in Việt Nam: a BI user's day is the local day
        day = conn.execute("select (timestamptz '2021-11-30 18:30:00+00')::date").fetchone()[0]
    assert day == date(2021, 12, 1)


# --- the benchmark's typical BI queries ----------------------------------------------------------


def test_bench_queries_run_as_bi_reader_and_the_daily_marts_agree_with_the_facts(built, bi_url):
    """Every query bench/queries.py times runs as bi_reader; the slices read from the daily marts
    give the figures the same slices of the per-row facts give."""
    from bench import queries

    params = queries.pick_agency_and_year(built, 2021)
    assert params["fact_rows_in_year"] > 0
    got = {}
    with psycopg.connect(warehouse.conninfo(bi_url)) as conn:
        for name, (_, sql) in {**queries.QUERIES, **queries.dashboard_queries()}.items():
            got[name] = conn.execute(sql, params).fetchall()
    assert got["province_year_daily"] == got["province_year_fact"]
    assert got["agency_12_months_daily"] == got["agency_12_months_fact"]
    assert sum(r[1] for r in got["province_year_daily"]) == params["fact_rows_in_year"]
    by_form = {}
    for form, _, exchanges, _ in got["province_year_documents_fact"]:
        by_form[form] = by_form.get(form, 0) + exchanges
    (docs,) = got["province_year_documents_daily"]
    assert docs[0] > 0 and docs[1:4] == (
        by_form.get("DIEN_TU", 0),
        by_form.get("SONG_SONG", 0),
        by_form.get("GIAY", 0),
    )
