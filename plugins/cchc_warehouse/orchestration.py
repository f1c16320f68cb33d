"""Airflow wiring shared by the DAG files in dags/: the nightly ingest DAG of a source system, the
sensor that waits for an export day, alerts. Each task calls one function of the package."""

from __future__ import annotations

import logging
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import Asset, CronTriggerTimetable, dag, task

from cchc_warehouse.airflow_env import TIMEZONE

log = logging.getLogger(__name__)

LOCAL = ZoneInfo(TIMEZONE)
LANDING_CONN = "cchc_landing"
NIGHTLY = "0 2 * * *"  # the exports land around 01:00-01:30; ingest at 02:00 local


def _export_day_setting(name: str, default: str | None) -> date | None:
    value = os.environ.get(name, default)
    return date.fromisoformat(value) if value else None


# The ingest DAGs run one night per export day from CCHC_START_DATE (default: the first day of the
# nd09 year 2021) to CCHC_END_DATE (default: open-ended); catchup fills the nights in between.
FIRST_EXPORT_DAY = _export_day_setting("CCHC_START_DATE", "2020-12-15")
LAST_EXPORT_DAY = _export_day_setting("CCHC_END_DATE", None)
START = datetime.combine(FIRST_EXPORT_DAY, time(0, 0), tzinfo=LOCAL)
EXPORT_DAY = (
    "{{ logical_date.in_timezone('Asia/Ho_Chi_Minh').subtract(days=1).strftime('%Y-%m-%d') }}"
)
DEFAULT_ARGS = {
    "owner": "cchc-data",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


def raw_asset(system: str) -> Asset:
    """Updated each time a system's export day is published into raw."""
    return Asset(name=f"cchc_raw_{system}", uri=f"cchc://warehouse/raw/{system}", group="cchc")


MARTS = Asset(name="cchc_marts", uri="cchc://warehouse/marts", group="cchc")


def nightly_timetable() -> CronTriggerTimetable:
    """02:00 local every night. A run's logical date is its night (02:00 the morning after the
    export day), for scheduled and manual runs alike.

    No data interval on purpose: with one (interval=1 day) Airflow gives a scheduled run the
    interval's start as logical date but a manual run its end, so a manual run of day D (the demo,
    a rerun from the UI) takes the logical date of the scheduled run of day D+1, and the
    scheduler's catch-up then stops at D+1 for good ("run already exists")."""
    return CronTriggerTimetable(NIGHTLY, timezone=TIMEZONE)


def logical_date_for(export_day: date) -> datetime:
    """The logical date of the nightly run that ingests `export_day` (02:00 the next morning)."""
    return datetime.combine(export_day + timedelta(days=1), time(2, 0), tzinfo=LOCAL)


def export_day_of(context) -> date:
    """The export day a run ingests: the local date before its night."""
    return context["logical_date"].in_timezone(TIMEZONE).date() - timedelta(days=1)


def landing_dir() -> Path:
    """The landing folder: the `cchc_landing` connection's path, else $CCHC_LANDING_DIR."""
    try:
        from airflow.providers.standard.hooks.filesystem import FSHook

        path = FSHook(LANDING_CONN).get_path()
        if path:
            return Path(path)
    except Exception:  # noqa: BLE001 - the connection is optional; the variable is the fallback
        log.debug("no %s connection; using CCHC_LANDING_DIR", LANDING_CONN)
    value = os.environ.get("CCHC_LANDING_DIR")
    if not value:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException("set the cchc_landing connection (fs path) or CCHC_LANDING_DIR")
    return Path(value)


def landing_deadline(export_day: date) -> datetime:
    """A day not landed by 06:00 local the next morning is reported missing."""
    hour, minute = (int(x) for x in os.environ.get("CCHC_LANDING_DEADLINE", "06:00").split(":"))
    return datetime.combine(export_day + timedelta(days=1), time(hour, minute), tzinfo=LOCAL)


class ManifestSensor(FileSensor):
    """Waits, deferred in the triggerer, for `<system>/<export day>/manifest.json` (written last by
    the source system) until the landing deadline; past it, fails and records the day as missing."""

    def __init__(self, *, system: str, **kwargs) -> None:
        super().__init__(
            fs_conn_id=LANDING_CONN,
            filepath=f"{system}/{EXPORT_DAY}/manifest.json",
            deferrable=True,
            poke_interval=300,
            **kwargs,
        )
        self.system = system

    def execute(self, context) -> None:
        from airflow.sdk.exceptions import AirflowFailException

        day = export_day_of(context)
        remaining = (landing_deadline(day) - datetime.now(LOCAL)).total_seconds()
        if self.poke(context):
            return
        if remaining <= 0:
            from cchc_warehouse.pipeline import note_missing

            note_missing(self.system, day)
            raise AirflowFailException(
                f"{self.system} export day {day} has not landed (no manifest.json) by "
                f"{landing_deadline(day):%H:%M on %d/%m/%Y}; recorded as missing"
            )
        self.timeout = remaining
        super().execute(context)


def task_failed(context) -> None:
    """on_failure_callback: one clear log line, and the alert webhook when configured."""
    from cchc_warehouse.alerts import alert_failure

    alert_failure(context)


def ingest_dag(system: str, files: str, doc_md: str | None = None):
    """The nightly ingest DAG of one source system: wait for the day, load, check, publish."""
    from airflow.sdk.exceptions import AirflowFailException

    @dag(
        dag_id=f"ingest_{system}",
        description=f"Nightly load of the {system} export ({files}) into raw, checked by GX",
        schedule=nightly_timetable(),
        start_date=logical_date_for(FIRST_EXPORT_DAY) - timedelta(minutes=1),
        end_date=logical_date_for(LAST_EXPORT_DAY) if LAST_EXPORT_DAY else None,
        catchup=True,
        max_active_runs=4,
        default_args={**DEFAULT_ARGS, "on_failure_callback": task_failed},
        tags=["cchc", "ingest", system],
        doc_md=doc_md,
    )
    def ingest():
        wait = ManifestSensor(task_id="wait_for_manifest", system=system)

        @task(task_id="load")
        def load_export_day(**context) -> dict:
            """COPY the day's files into raw.* (an unpublished batch), quarantining unreadable records."""
            from cchc_warehouse import load
            from cchc_warehouse.errors import CchcError, WarehouseError

            day = export_day_of(context)
            try:
                result = load.load_day(
                    landing_dir(),
                    system,
                    day,
                    loaded_by=f"airflow:{context['dag'].dag_id}/{context['run_id']}",
                )
            except WarehouseError:
                raise  # the warehouse is down or restarting: retry
            except CchcError as exc:
                raise AirflowFailException(str(exc)) from None  # bad input: retrying will not help
            log.info("%s", result.summary())
            for warning in result.warnings:
                log.warning("%s %s: %s", system, day, warning)
            return {"batch_id": result.batch_id, "status": result.status}

        @task(task_id="check")
        def check_batch(batch: dict) -> dict:
            """Great Expectations on the batch's rows, in the database; critical failures reject it."""
            if batch["status"] != "loaded":
                log.info("batch %s is %s: nothing to check", batch["batch_id"], batch["status"])
                return batch
            from cchc_warehouse import load, quality

            outcome = quality.validate_batch(batch["batch_id"])
            for warning in outcome.warnings:
                log.warning("quality warning: %s", warning)
            if not outcome.success:
                reason = "; ".join(outcome.critical_failures)
                load.reject_batch(batch["batch_id"], reason)
                raise AirflowFailException(
                    f"batch {batch['batch_id']} rejected, not published: {reason}"
                )
            return batch

        @task(task_id="publish", outlets=[raw_asset(system)])
        def publish_batch(batch: dict) -> None:
            """Make the batch the day's content (replacing an earlier send of the same day)."""
            if batch["status"] == "loaded":
                from cchc_warehouse import load

                load.publish_batch(batch["batch_id"])

        loaded = load_export_day()
        wait >> loaded
        publish_batch(check_batch(loaded))

    return ingest()


def dbt_build_task(task_id: str = "dbt_build"):
    """One Cosmos task running `dbt build` over the whole project: every model, then its tests, in
    dbt's own order, logged node by node ("12 of 168 OK created sql incremental model ...").

    Why one task and not Cosmos's task per model: a night's build is ~50 small incremental models,
    and each Cosmos task pays a task start plus a dbt start and parse (~10 s on 2 cores), so the
    per-model DAG took 9-15 min a night where the same build in one dbt invocation takes about a
    minute (bench/RESULTS.md). A failed node fails the task, which is retried once; dbt's own
    incremental models make the retry cheap and its result the same."""
    from cosmos import ProfileConfig
    from cosmos.constants import InvocationMode
    from cosmos.operators.local import DbtBuildLocalOperator

    from cchc_warehouse import dbt
    from cchc_warehouse.airflow_env import DBT_POOL

    return DbtBuildLocalOperator(
        task_id=task_id,
        project_dir=str(dbt.DBT_PROJECT_DIR),
        profile_config=ProfileConfig(
            profile_name=dbt.PROFILE_NAME,
            target_name=dbt.TARGET,
            profiles_yml_filepath=dbt.DBT_PROJECT_DIR / "profiles.yml",
        ),
        invocation_mode=InvocationMode.DBT_RUNNER,
        install_deps=False,
        should_store_compiled_sql=False,
        emit_datasets=False,  # the marts Asset is updated by marts_ready, after every test passed
        pool=DBT_POOL,
    )
