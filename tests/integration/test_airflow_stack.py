"""`make airflow`'s choices before it starts the components: which landing folder, and which
nights the scheduler catches up (the landing's export days the warehouse has not met yet)."""

from __future__ import annotations

from datetime import date

from cchc_warehouse import airflow_env
from cchc_warehouse.pipeline import note_missing


def _days(landing, *days: str) -> None:
    for day in days:
        (landing / "onestop" / day).mkdir(parents=True)


def test_catch_up_starts_after_the_last_day_the_warehouse_met(fresh_db, tmp_path):
    landing = tmp_path / "landing"
    _days(landing, "2021-11-15", "2021-11-16", "2021-11-17", "2021-11-18")
    env: dict[str, str] = {}
    airflow_env._catch_up_range(landing, env)
    assert (env["CCHC_START_DATE"], env["CCHC_END_DATE"]) == ("2021-11-15", "2021-11-18")

    note_missing("docmgmt", date(2021, 11, 16))  # any system's day counts as met
    env = {}
    airflow_env._catch_up_range(landing, env)
    assert (env["CCHC_START_DATE"], env["CCHC_END_DATE"]) == ("2021-11-17", "2021-11-18")

    note_missing("onestop", date(2021, 11, 18))  # all met: only the last night, which exists
    env = {}
    airflow_env._catch_up_range(landing, env)
    assert env["CCHC_START_DATE"] == env["CCHC_END_DATE"] == "2021-11-18"

    env = {"CCHC_START_DATE": "2021-11-15"}  # what the user sets wins
    airflow_env._catch_up_range(landing, env)
    assert env["CCHC_START_DATE"] == "2021-11-15"


def test_the_demo_landing_is_used_while_the_default_one_is_empty(monkeypatch, tmp_path):
    monkeypatch.setenv("CCHC_HOME", str(tmp_path))
    monkeypatch.delenv("CCHC_LANDING_DIR", raising=False)
    assert airflow_env._stack_landing() is None  # neither has a day: the default stays
    _days(tmp_path / "demo" / "landing", "2021-11-15")
    assert airflow_env._stack_landing() == str(tmp_path / "demo" / "landing")
    _days(tmp_path / "landing", "2021-11-20")
    assert airflow_env._stack_landing() is None  # the user's own landing folder wins
    monkeypatch.setenv("CCHC_LANDING_DIR", str(tmp_path / "elsewhere"))
    assert airflow_env._stack_landing() is None  # and so does CCHC_LANDING_DIR
