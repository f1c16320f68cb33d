"""dim_procedure and dim_agency (SCD type 2 from daily snapshots) built night by night, with the
portal days arriving out of order, equal both a clean full build and versions computed here,
independently, from the landing's thutuc.json and coquan.json.

The window holds the 1 July 2025 reorganisation (agencies end, successors named, new agencies
appear) and the July catalogue decision, so versions start, end and reopen inside it."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from cchc_warehouse import dbt, load, pipeline, simulate, warehouse
from cchc_warehouse.checksums import table_checksums

from tests.conftest import create_database

pytestmark = pytest.mark.slow

START, END = date(2025, 6, 25), date(2025, 7, 6)
MODELS = (
    "stg_audit__published_batches int_warehouse_as_of stg_portal__procedures stg_portal__agencies"
    " int_agency_successors int_procedure_version_points int_agency_version_points"
    " dim_procedure dim_agency"
)
DIMS = ("marts.dim_procedure", "marts.dim_agency")


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("scd2")
    simulate.generate(out, START, END, seed=11, scale="small", defects="none")
    return out


def _days() -> list[date]:
    return [START + timedelta(days=i) for i in range((END - START).days + 1)]


def _ingest(landing: Path, day: date, url: str) -> None:
    outcome = pipeline.load_one(landing, "portal", day, url=url)
    assert outcome.status == "loaded", outcome
    load.validate_and_publish(
        load.BatchResult("portal", day, "loaded", batch_id=outcome.batch_id), url=url
    )


def _build(url: str, *extra: str) -> None:
    dbt.run_dbt(["run", "--select", *MODELS.split(), *extra], url, quiet=True)


def _expected_versions(landing: Path, file: str, key: str, attrs) -> list[tuple]:
    """(code, valid_from, valid_to, is_current, snapshots_seen) from the snapshot files: a version
    is a run of consecutive snapshot days with equal attributes."""
    days = _days()
    snaps = {}
    for d in days:
        rows = json.loads((landing / "portal" / d.isoformat() / file).read_text(encoding="utf-8"))
        snaps[d] = {r[key]: attrs(r) for r in rows}
    versions: dict[str, list[list]] = {}
    for i, d in enumerate(days):
        for code, a in snaps[d].items():
            prev = snaps[days[i - 1]].get(code) if i else None
            if prev is not None and prev == a:
                versions[code][-1][1] = d
                versions[code][-1][2] += 1
            else:
                versions.setdefault(code, []).append([d, d, 1])
    out = []
    for code, vs in versions.items():
        for j, (start, last, seen) in enumerate(vs):
            current = last == days[-1]
            nxt = vs[j + 1][0] if j + 1 < len(vs) else None
            if current:
                valid_to = None
            elif nxt is not None and nxt == last + timedelta(days=1):
                valid_to = nxt - timedelta(days=1)
            else:
                valid_to = last
            out.append((code, start, valid_to, current, seen))
    return sorted(out)


def _procedure_attrs(r: dict) -> tuple:
    r = dict(r, CoQuanThucHien=tuple(sorted(set(r["CoQuanThucHien"]))))
    return tuple(sorted((k, json.dumps(v, ensure_ascii=False)) for k, v in r.items()))


def _agency_attrs(r: dict) -> tuple:
    return tuple(sorted((k, json.dumps(v, ensure_ascii=False)) for k, v in r.items()))


def _versions(url: str, table: str, key: str) -> list[tuple]:
    with warehouse.connect(url) as conn:
        return conn.execute(
            f"select {key}, valid_from, valid_to, is_current, snapshots_seen from {table}"
            f" order by 1, 2"
        ).fetchall()


@pytest.fixture(scope="module")
def built(pg_server, landing):
    clean = create_database(pg_server, prefix="scd2clean")
    for d in _days():
        _ingest(landing, d, clean)
    _build(clean)

    nightly = create_database(pg_server, prefix="scd2nightly")
    order = _days()
    random.Random(5).shuffle(order)
    for d in order:  # a build after every day: new latest days, late days between loaded ones
        _ingest(landing, d, nightly)
        _build(nightly)
    return clean, nightly


def test_nightly_dimensions_equal_a_clean_full_build(built):
    clean, nightly = built
    a = table_checksums(clean, schemas=("marts",))
    b = table_checksums(nightly, schemas=("marts",))
    assert {t: a[t] for t in DIMS} == {t: b[t] for t in DIMS}


def test_versions_equal_those_counted_from_the_snapshot_files(built, landing):
    clean, nightly = built
    procedures = _expected_versions(landing, "thutuc.json", "MaTTHC", _procedure_attrs)
    agencies = _expected_versions(landing, "coquan.json", "MaCoQuan", _agency_attrs)
    assert len(procedures) > len({p[0] for p in procedures})  # some procedure changed
    assert any(not a[3] for a in agencies)  # some agency version ended
    for url in (clean, nightly):
        assert _versions(url, "marts.dim_procedure", "procedure_code") == procedures
        assert _versions(url, "marts.dim_agency", "agency_code") == agencies


def test_a_full_refresh_rebuilds_the_same_change_points(built):
    _, nightly = built
    sql = (
        "select 'p', procedure_code, snapshot_date, starts_version, ends_version"
        " from intermediate.int_procedure_version_points union all"
        " select 'a', agency_code, snapshot_date, starts_version, ends_version"
        " from intermediate.int_agency_version_points order by 1, 2, 3"
    )
    with warehouse.connect(nightly) as conn:
        before = conn.execute(sql).fetchall()
    _build(nightly, "--full-refresh")
    with warehouse.connect(nightly) as conn:
        assert conn.execute(sql).fetchall() == before
