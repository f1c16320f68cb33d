"""The dbt marts against the simulator's ground truth, built incrementally night by night.

A small simulated province (3.5 months, defects on) is loaded in two halves by the loader; the
second half is built incrementally (the touched keys come from the batches each model has not
read), then compared with `_truth/*.csv`, then rebuilt with --full-refresh and compared again.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from cchc_warehouse import pipeline, warehouse
from cchc_warehouse.dbt import run_dbt
from cchc_warehouse.simulate import generate

from tests.truth import compare_marts, summary

DEFECTS = "all"  # every defect class of source-contracts.md, as the simulator produces them
START, MIDDLE, END = date(2020, 12, 15), date(2021, 2, 10), date(2021, 3, 31)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("landing")
    generate(out, START, END, seed=7, scale="small", defects=DEFECTS)
    return out


@pytest.fixture(scope="module")
def built(module_db, landing):
    old = os.environ.get("CCHC_PII_KEY")
    os.environ["CCHC_PII_KEY"] = "simulator-test-key"
    pipeline.backfill(landing, START, MIDDLE, validate=False, url=module_db)  # first build: full
    pipeline.backfill(
        landing, MIDDLE.replace(day=11), END, validate=False, build=False, url=module_db
    )
    run_dbt(["build"], module_db)
    incremental = compare_marts(module_db, landing)
    with warehouse.connect(module_db) as conn:
        rows = conn.execute("select count(*) from marts.fct_dossiers_received").fetchone()[0]
    run_dbt(["build", "--full-refresh"], module_db)
    full = compare_marts(module_db, landing)
    yield incremental, full, rows
    if old is None:
        os.environ.pop("CCHC_PII_KEY", None)
    else:
        os.environ["CCHC_PII_KEY"] = old


def test_incremental_marts_equal_the_truth(built):
    incremental, _, rows = built
    assert rows > 1000
    assert not any(incremental.values()), summary(incremental)


def test_full_refresh_marts_equal_the_truth(built):
    _, full, _ = built
    assert not any(full.values()), summary(full)
