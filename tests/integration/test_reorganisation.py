"""The 2025 reorganisation (NQ 202/2025/QH15): the simulator ends district agencies on 30/06/2025
with successors; facts keep the codes as they were, the as-was report still equals the ground
truth, and the restated view reports the same history under the agencies in force today."""

from __future__ import annotations

import json
from datetime import date

import pytest
from cchc_warehouse import pipeline, simulate
from cchc_warehouse.warehouse import connect

from tests.truth import compare_marts, summary

pytestmark = pytest.mark.slow

START, END = date(2025, 6, 16), date(2025, 7, 14)  # the nd09 month 2025-07 spans 1 July 2025


@pytest.fixture(scope="module")
def reorganised(module_db, tmp_path_factory):
    landing = tmp_path_factory.mktemp("reorg")
    simulate.generate(landing, START, END, seed=202, scale="small", defects="none")
    report = pipeline.backfill(landing, START, END, url=module_db)
    assert not report.failed
    return landing


def test_the_directory_after_1_july_2025_names_successors(reorganised):
    before = json.loads(
        (reorganised / "portal" / "2025-06-30" / "coquan.json").read_text(encoding="utf-8")
    )
    after = json.loads(
        (reorganised / "portal" / "2025-07-01" / "coquan.json").read_text(encoding="utf-8")
    )
    ended = [a for a in after if a.get("HieuLucDen") and a.get("MaCoQuanKeThua")]
    assert ended, "no agency ended with a successor"
    assert any(a["Cap"] == "HUYEN" for a in ended)
    assert not any(a.get("HieuLucDen") for a in before if a["Cap"] == "HUYEN")


def test_as_was_report_is_unchanged_and_restated_maps_history_to_today(reorganised, module_db):
    # the as-was marts are exactly the ground truth (codes as they were)
    diffs = compare_marts(module_db, reorganised)
    assert not any(diffs.values()), summary(diffs)
    with connect(module_db) as conn:
        abolished = {
            r[0]
            for r in conn.execute(
                "select agency_code from marts.dim_agency where successor_agency_code is not null"
            )
        }
        as_was = conn.execute(
            "select agency_code, received, resolved, pending from marts.rpt_dossier_resolution "
            "where period_convention = 'nd09' and period_type = 'month' and period_label = '2025-07'"
        ).fetchall()
        restated = conn.execute(
            "select agency_code, source_agency_codes, received, resolved, pending "
            "from marts.rpt_dossier_resolution_restated "
            "where period_convention = 'nd09' and period_type = 'month' and period_label = '2025-07'"
        ).fetchall()
        current = {
            r[0] for r in conn.execute("select agency_code from marts.dim_agency where is_current")
        }
    assert abolished, "dim_agency records no successor"
    old_rows = [r for r in as_was if r[0] in abolished]
    assert old_rows, "the as-was report has no rows under the old codes"
    # nothing is lost or double counted by the restatement
    for col in (1, 2, 3):
        assert sum(r[col] for r in as_was) == sum(r[col + 1] for r in restated)
    # every restated row is an agency in force today; old codes appear only as sources
    assert not {r[0] for r in restated} & abolished
    assert {r[0] for r in restated} <= current | {r[0] for r in as_was if r[0] not in abolished}
    merged = [r for r in restated if any(code in abolished for code in r[1].split(", "))]
    assert merged
