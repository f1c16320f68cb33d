"""End to end on real Airflow: a generated landing folder with every defect switched on, ingested
night by night by the three ingest DAGs (dag.test), re-sent and late days in the order they
arrive, then the build DAG (Cosmos + dbt). The marts must equal the simulator's ground truth,
every file must reconcile with its manifest, and no personal data may reach the marts."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from cchc_warehouse import airflow_env, simulate
from cchc_warehouse.warehouse import connect

from tests.truth import compare_marts, summary

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

START, END = date(2021, 11, 15), date(2021, 12, 14)  # the nd09 month 2021-12
SYSTEMS = ("onestop", "docmgmt", "portal")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    simulate.generate(out, START, END, seed=20211214, scale="small", defects="all")
    return out


def arrival_order(defects: dict) -> list[tuple[date, str]]:
    """(day, system) in the order the folders arrive: late days after the day they arrive after."""
    late = {
        (d["system"], date.fromisoformat(d["export_date"])): date.fromisoformat(d["arrives_after"])
        for d in defects["late_days"]
    }
    order = []
    for i in range((END - START).days + 1):
        day = START + timedelta(days=i)
        for system in SYSTEMS:
            if (system, day) not in late:
                order.append((day, system))
        order += [(d, s) for (s, d), after in sorted(late.items()) if after == day]
    return order


@pytest.fixture(scope="module")
def nightly_run(landing, e2e_warehouse):
    """Run every night's ingest DAGs as the folders arrive, then the build DAG; return run states."""
    from cchc_warehouse.orchestration_runs import run_build, run_ingest

    airflow_env.apply(landing)
    defects = json.loads((landing / "_truth" / "defects.json").read_text())
    first_sends = {
        (d["system"], date.fromisoformat(d["export_date"])): landing / d["first_send"]
        for d in defects["resent_days"]
    }
    states: dict[tuple[str, date], list[str]] = {}
    for day, system in arrival_order(defects):
        first = first_sends.get((system, day))
        if first is not None:  # the first send lands, is ingested, then the re-send replaces it
            final = landing / system / day.isoformat()
            held = final.with_name(final.name + ".resend")
            final.rename(held)
            shutil.copytree(first, final)
            states.setdefault((system, day), []).append(run_ingest(system, day))
            shutil.rmtree(final)
            held.rename(final)
        states.setdefault((system, day), []).append(run_ingest(system, day))
    build = run_build()
    return {"ingest": states, "build": build, "defects": defects}


def test_every_night_ran_as_its_folder_deserved(nightly_run):
    defects = nightly_run["defects"]
    broken = {(d["system"], d["export_date"]) for d in defects["failed_days"]}
    missing = {(d["system"], d["export_date"]) for d in defects["missing_days"]}
    for (system, day), states in nightly_run["ingest"].items():
        key = (system, day.isoformat())
        expected = "failed" if key in broken or key in missing else "success"
        assert states[-1] == expected, f"{system} {day}: last run {states[-1]}, expected {expected}"
    assert nightly_run["build"] == "success"


def test_marts_equal_the_ground_truth(nightly_run, e2e_warehouse, landing):
    diffs = compare_marts(e2e_warehouse, landing)
    assert not any(diffs.values()), summary(diffs)
    with connect(e2e_warehouse) as conn:
        received = conn.execute(
            "select sum(received) from marts.rpt_dossier_resolution where period_convention = 'nd09' "
            "and period_type = 'month' and period_label = '2021-12'"
        ).fetchone()[0]
    assert received and received > 500  # a real month of a small province, not an empty comparison


def test_every_file_reconciles_with_its_manifest(nightly_run, e2e_warehouse):
    defects = nightly_run["defects"]
    with connect(e2e_warehouse) as conn:
        rows = conn.execute(
            "select system, export_date, file_name, rows_declared, rows_loaded, rows_quarantined, balanced "
            "from audit.file_reconciliation where status = 'published'"
        ).fetchall()
        missing = conn.execute(
            "select system, export_date::text from audit.day_status where status = 'missing'"
        ).fetchall()
        unexplained = conn.execute(
            "select system, export_date, status from audit.day_status"
            " where status <> 'published' and coalesce(message, '') = ''"
        ).fetchall()
    assert rows and all(r[6] for r in rows), [r for r in rows if not r[6]]
    quarantined = {(r[0], r[1].isoformat(), r[2]): r[5] for r in rows}
    expected = {
        (q["system"], q["export_date"], q["file"]): q["count"]
        for q in defects["expected_quarantine"]
    }
    published_expected = {
        k: v for k, v in expected.items() if (k[0], k[1]) in {(s, d) for s, d, _ in quarantined}
    }
    assert {k: v for k, v in quarantined.items() if v} == published_expected
    assert set(missing) >= {(d["system"], d["export_date"]) for d in defects["missing_days"]}
    assert not unexplained  # `cchc status` says why a day is not published


def test_quarantine_names_file_line_field_and_reason(nightly_run, e2e_warehouse):
    with connect(e2e_warehouse) as conn:
        rows = conn.execute(
            "select file_name, line_number, reason from quarantine.records"
        ).fetchall()
    assert rows
    assert all(r[0] and r[1] >= 1 and r[2] for r in rows)


def test_no_personal_data_reaches_the_marts(nightly_run, e2e_warehouse, landing):
    pii: set[str] = set()
    for path in (landing / "onestop").glob("*/hoso.jsonl"):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict):
                pii |= {
                    str(rec.get(k)) for k in ("ChuHoSo", "SoGiayTo", "SoDienThoai") if rec.get(k)
                }
    assert len(pii) > 100
    with connect(e2e_warehouse) as conn:
        columns = conn.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'marts' and data_type in ('text', 'character varying')"
        ).fetchall()
        leaks = []
        for table, column in columns:
            found = conn.execute(
                f'select count(*) from marts."{table}" where "{column}" = any(%s)', (list(pii),)
            ).fetchone()[0]
            if found:
                leaks.append(f"{table}.{column}: {found}")
    assert not leaks, leaks


def test_backfill_equals_the_nightly_dags(nightly_run, e2e_warehouse, landing, pg_server):
    """`cchc backfill` (one pass, one dbt build) gives the warehouse the nightly DAGs built."""
    from cchc_warehouse import pipeline
    from cchc_warehouse.checksums import table_checksums

    from tests.conftest import create_database

    url = create_database(pg_server, prefix="bf")
    report = pipeline.backfill(landing, START, END, url=url)
    assert len(report.failed) == len(nightly_run["defects"]["failed_days"])
    nightly, backfilled = table_checksums(e2e_warehouse), table_checksums(url)
    differing = {
        t: (nightly[t], backfilled.get(t)) for t in nightly if nightly[t] != backfilled.get(t)
    }
    assert not differing, differing


def test_status_shows_loads_and_dag_runs(nightly_run, e2e_warehouse):
    from cchc_warehouse.status import print_status
    from rich.console import Console

    console = Console(record=True, width=200)
    print_status(days=40, console=console)
    text = console.export_text()
    for expected in ("Loads per system", "onestop", "missing", "ingest_onestop", "build_warehouse"):
        assert expected in text, expected


def test_publish_dag_writes_docs_and_the_annual_report(nightly_run):
    """publish_reports after the build: Data Docs, dbt docs and the appendix files exist."""
    from cchc_warehouse import dbt, publish
    from cchc_warehouse.orchestration_runs import run_dag
    from cchc_warehouse.warehouse import home

    assert run_dag("publish_reports") == "success"
    assert (home() / "gx" / "data_docs" / "local_site" / "index.html").exists()
    assert (dbt.target_path() / "index.html").exists()
    assert list(publish.reports_dir().glob("bao-cao-cchc-2021.*"))
