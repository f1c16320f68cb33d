"""Loading days shuffled, re-sent and repeated, and building the marts night by night, gives table
by table the same raw, quarantine, staging and marts content as one clean ordered run followed by
one build (checksums over every table, load bookkeeping columns left out).

`intermediate` is left out on purpose: its footprint tables remember every agency and date a
record was ever counted under (a replaced first send included), which is what lets a nightly
build find the periods a change touches; they are build state, not content."""

from __future__ import annotations

import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from cchc_warehouse import dbt, load, pipeline, simulate
from cchc_warehouse.checksums import table_checksums

from tests.conftest import create_database

pytestmark = pytest.mark.slow

START, END = date(2021, 3, 1), date(2021, 3, 21)
SYSTEMS = ("onestop", "docmgmt", "portal")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("idem")
    simulate.generate(out, START, END, seed=404, scale="small", defects="all")
    return out


def test_shuffled_resent_repeated_loads_equal_a_clean_run(pg_server, landing, tmp_path):
    clean = create_database(pg_server, prefix="clean")
    pipeline.backfill(landing, START, END, url=clean)

    messy = create_database(pg_server, prefix="messy")
    defects = json.loads((landing / "_truth" / "defects.json").read_text())
    first_sends = {
        (d["system"], d["export_date"]): landing / d["first_send"] for d in defects["resent_days"]
    }
    work = tmp_path / "landing"
    shutil.copytree(landing, work, ignore=shutil.ignore_patterns("_first_send", "_truth"))
    days = [(START + timedelta(days=i), s) for i in range((END - START).days + 1) for s in SYSTEMS]
    rng = random.Random(7)
    order = days[:]
    rng.shuffle(order)
    order += rng.sample(days, 12)  # some days loaded again
    half = len(order) // 2
    for i, (day, system) in enumerate(order):
        first = first_sends.pop((system, day.isoformat()), None)
        if first is not None:  # the first send arrives first, the re-send replaces it later
            target = work / system / day.isoformat()
            held = target.with_name(target.name + ".final")
            target.rename(held)
            shutil.copytree(first, target)
            _ingest(work, system, day, messy)
            shutil.rmtree(target)
            held.rename(target)
        _ingest(work, system, day, messy)
        if i == half:
            dbt.run_dbt(["build"], messy)  # an incremental night in the middle
    dbt.run_dbt(["build"], messy)

    a, b = table_checksums(clean), table_checksums(messy)
    assert a.keys() == b.keys()
    differing = {t: (a[t], b[t]) for t in a if a[t] != b[t]}
    assert not differing, differing
    assert int(a["marts.rpt_dossier_resolution"].split(":")[0]) > 50
    assert int(a["raw.onestop_hoso"].split(":")[0]) > 1000


def _ingest(landing: Path, system: str, day: date, url: str) -> None:
    outcome = pipeline.load_one(landing, system, day, url=url)
    if outcome.status == "loaded":
        load.validate_and_publish(
            load.BatchResult(system, day, "loaded", batch_id=outcome.batch_id), url=url
        )
