"""The DAG files: they import fast and cleanly, have the structure the pipeline relies on, alert
on failure, report a day that has not landed, and survive a task process killed mid-load."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from cchc_warehouse import airflow_env
from cchc_warehouse.warehouse import PROJECT_ROOT, connect

from tests.landing_builder import hoso, jsonl, write_day

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DAG_IDS = {
    "ingest_onestop",
    "ingest_docmgmt",
    "ingest_portal",
    "build_warehouse",
    "publish_reports",
}
IMPORT_BUDGET_S = 30.0  # all five files


def test_every_dag_file_imports_without_errors_within_budget(airflow_session):
    # the clock starts once Airflow itself is imported: the budget is the DAG files' own parse
    # (what the dag-processor pays every cycle), not the interpreter's start-up
    code = (
        "import time\n"
        "from airflow.dag_processing.dagbag import DagBag\n"
        "t = time.perf_counter()\n"
        f"bag = DagBag(dag_folder={str(PROJECT_ROOT / 'dags')!r})\n"
        "import json; print(json.dumps({'errors': bag.import_errors, 'dags': sorted(bag.dags),"
        " 'seconds': time.perf_counter() - t}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ},
        capture_output=True,
        text=True,
        timeout=300,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == {}
    assert set(result["dags"]) == DAG_IDS
    assert result["seconds"] < IMPORT_BUDGET_S, result["seconds"]


def test_dag_structure(airflow_session):
    from cchc_warehouse.orchestration_runs import dag_bag

    dags = dag_bag().dags
    for system in ("onestop", "docmgmt", "portal"):
        dag = dags[f"ingest_{system}"]
        chain = ["wait_for_manifest", "load", "check", "publish"]
        for upstream, downstream in zip(chain, chain[1:], strict=False):
            assert dag.task_dict[downstream].upstream_task_ids == {upstream}, downstream
        assert dag.catchup and dag.timetable.expression == "0 2 * * *"
        assert str(dag.timetable.timezone) == "Asia/Ho_Chi_Minh"
        assert dag.task_dict["wait_for_manifest"].deferrable
        outlets = dag.task_dict["publish"].outlets
        assert [a.name for a in outlets] == [f"cchc_raw_{system}"]
        assert dag.default_args["retries"] >= 1 and dag.default_args["retry_exponential_backoff"]
    build = dags["build_warehouse"]
    assert build.max_active_runs == 1
    # one dbt invocation a night: the whole project's `dbt build`, then the marts' Asset
    assert set(build.task_dict) == {"dbt_build", "marts_ready"}
    dbt_build = build.task_dict["dbt_build"]
    assert type(dbt_build).__name__ == "DbtBuildLocalOperator" and dbt_build.pool == "dbt"
    assert not dbt_build.select and not dbt_build.exclude  # every model, seed, snapshot and test
    assert build.task_dict["marts_ready"].upstream_task_ids == {"dbt_build"}
    assert [a.name for a in build.task_dict["marts_ready"].outlets] == ["cchc_marts"]
    publish = dags["publish_reports"]
    assert set(publish.task_dict) == {"data_docs", "dbt_docs", "annual_report"}


def test_a_manual_run_of_a_night_does_not_stop_the_catch_up(airflow_session):
    """A night run by hand (the demo, a rerun from the UI) has the logical date the scheduler
    gives that night, and the scheduler carries on with the next one. With a one-day data
    interval it did not: the manual run took the next night's logical date and the scheduler
    stopped there for good ("run already exists; skipping dagrun creation")."""
    from datetime import timedelta

    import pendulum
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import TimeRestriction
    from cchc_warehouse.orchestration import export_day_of, logical_date_for
    from cchc_warehouse.orchestration_runs import dag_bag

    timetable = coerce_to_core_timetable(dag_bag().dags["ingest_onestop"].timetable)
    day = date(2021, 11, 15)
    restriction = TimeRestriction(
        earliest=pendulum.instance(logical_date_for(day) - timedelta(minutes=1)),
        latest=None,
        catchup=True,
    )
    first = timetable.next_dagrun_info(last_automated_data_interval=None, restriction=restriction)
    assert first.logical_date == logical_date_for(day)
    # what the scheduler does on finding a run at that logical date: carry on from its interval
    manual = timetable.infer_manual_data_interval(
        run_after=pendulum.instance(logical_date_for(day))
    )
    following = timetable.next_dagrun_info(
        last_automated_data_interval=manual, restriction=restriction
    )
    assert following.logical_date == logical_date_for(day + timedelta(days=1))
    assert export_day_of({"logical_date": first.logical_date}) == day
    assert export_day_of({"logical_date": following.logical_date}) == day + timedelta(days=1)


class _Hook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Hook.received.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook(monkeypatch):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received = []
    monkeypatch.setenv("CCHC_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/alerts")
    yield _Hook.received
    server.shutdown()


def test_a_day_not_landed_by_the_deadline_is_reported_and_alerted(e2e_warehouse, tmp_path, webhook):
    from cchc_warehouse.orchestration_runs import run_ingest

    airflow_env.apply(tmp_path)  # an empty landing folder: the day never arrived
    state = run_ingest("portal", date(2021, 3, 3))
    assert state == "failed"
    with connect(e2e_warehouse) as conn:
        events = conn.execute(
            "select event, message from audit.day_events where system = 'portal' and export_date = '2021-03-03'"
        ).fetchall()
    assert events and events[0][0] == "missing"
    assert len(webhook) == 1
    text = webhook[0]["text"]
    assert "ingest_portal.wait_for_manifest" in text and "2021-03-03 has not landed" in text


KILLED_RUN = """
import sys
from datetime import date
from cchc_warehouse import airflow_env
airflow_env.apply(sys.argv[1])
from cchc_warehouse.orchestration_runs import run_ingest
print(run_ingest("onestop", date(2021, 3, 4)))
"""


def test_a_task_process_killed_mid_load_is_rerun_with_nothing_lost_or_doubled(
    e2e_warehouse, tmp_path
):
    from cchc_warehouse.orchestration_runs import run_ingest

    day, n = date(2021, 3, 4), 150_000
    write_day(
        tmp_path,
        "onestop",
        day,
        {"hoso.jsonl": jsonl([hoso(f"K-210304-{i:06d}", day) for i in range(n)])},
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(tmp_path)],
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline:
        with connect(e2e_warehouse) as conn:
            copying = conn.execute(
                "select count(*) from pg_stat_activity where query ilike 'copy %%onestop_hoso%%' and state = 'active'"
            ).fetchone()[0]
        if copying:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the task never reached COPY")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)
    airflow_env.apply(tmp_path)
    assert run_ingest("onestop", day) == "success"
    with connect(e2e_warehouse) as conn:
        rows = conn.execute(
            "select count(*), count(distinct r.ma_ho_so) from raw.onestop_hoso r join audit.load_batches b "
            "on b.batch_id = r._batch_id where b.export_date = %s",
            (day,),
        ).fetchone()
        leftovers = conn.execute(
            "select count(*) from raw.onestop_hoso r join audit.load_batches b on b.batch_id = r._batch_id "
            "where b.export_date = %s and b.status <> 'published'",
            (day,),
        ).fetchone()[0]
    assert rows == (n, n) and leftovers == 0


def _marts_events() -> int:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as session:
        return session.scalar(
            select(func.count())
            .select_from(AssetEvent)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.name == "cchc_marts")
        )


def test_a_failed_dbt_build_alerts_and_leaves_the_marts_asset_untouched(
    e2e_warehouse, webhook, monkeypatch
):
    """The build is one dbt invocation; when it fails (here: the warehouse refuses dbt's
    connection), marts_ready does not run, so publish_reports is not triggered on stale marts."""
    from cchc_warehouse.orchestration_runs import dag_bag, run_build, task_states

    # no retry here (in production the task is retried once, two minutes later)
    monkeypatch.setattr(dag_bag().dags["build_warehouse"].task_dict["dbt_build"], "retries", 0)
    before = _marts_events()
    monkeypatch.setenv("CCHC_DBT_PORT", "1")  # nothing listens there
    monkeypatch.setenv("CCHC_DBT_HOST", "127.0.0.1")
    assert run_build() == "failed"
    states = task_states("build_warehouse")
    assert states["dbt_build"] == "failed" and states["marts_ready"] == "upstream_failed"
    assert _marts_events() == before
    assert any("build_warehouse.dbt_build" in alert["text"] for alert in webhook)
