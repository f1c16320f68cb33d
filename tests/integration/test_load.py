"""Loading export days: reconciliation, replace-a-day, stale and failed sends, atomicity under kill,
concurrent loads of the same day."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from cchc_warehouse import load
from cchc_warehouse.errors import ManifestError, SchemaBreakError, SourceFormatError
from cchc_warehouse.warehouse import connect

from tests.landing_builder import csv_bytes, hoso, jsonl, write_day

DAY = date(2021, 12, 14)


def q(url, sql, *args):
    with connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def test_day_loads_reconciles_and_quarantines(fresh_db, tmp_path):
    records = [hoso(f"000.00.16.H60-211214-{i:04d}", DAY) for i in range(3)]
    data = jsonl(records) + b'{"MaHoSo": {"nested": 1}}\n' + b"\x00\x01 binary\n"
    write_day(tmp_path, "onestop", DAY, {"hoso.jsonl": data})
    result = load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    assert result.status == "published"
    rec = q(
        fresh_db,
        "select file_name, rows_declared, rows_loaded, rows_quarantined, status, balanced "
        "from audit.file_reconciliation order by file_name",
    )
    assert rec == [
        ("hoso.jsonl", 5, 3, 2, "published", True),
        ("quatrinh.csv", 0, 0, 0, "published", True),
    ]
    quarantined = q(
        fresh_db, "select line_number, field, reason from quarantine.records order by line_number"
    )
    assert quarantined[0][:2] == (4, "MaHoSo") and "object" in quarantined[0][2]
    assert quarantined[1][0] == 5
    lines = q(fresh_db, "select _line, ma_ho_so, chu_ho_so from raw.onestop_hoso order by _line")
    assert [r[0] for r in lines] == [1, 2, 3] and lines[0][2] == "Nguyễn Văn An"


def test_resent_day_replaces_the_old_content(fresh_db, tmp_path):
    first = [hoso(f"000.00.16.H60-211214-{i:04d}", DAY) for i in range(3)]
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl(first)},
        generated_at=datetime(2021, 12, 15, 1),
    )
    load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    second = [hoso(f"000.00.16.H60-211214-{i:04d}", DAY, TrangThaiHoSo="4") for i in range(2)]
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl(second)},
        generated_at=datetime(2021, 12, 15, 9),
    )
    result = load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    assert result.status == "published"
    assert q(fresh_db, "select count(*), min(trang_thai_ho_so) from raw.onestop_hoso") == [(2, "4")]
    statuses = q(fresh_db, "select status from audit.load_batches order by batch_id")
    assert [s[0] for s in statuses] == ["superseded", "published"]
    # the same send again changes nothing
    again = load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    assert again.status == "unchanged"
    # an older send arriving after the newer one is not allowed to replace it
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl(first)},
        generated_at=datetime(2021, 12, 15, 2),
    )
    stale = load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    assert stale.status == "stale"
    assert q(fresh_db, "select count(*) from raw.onestop_hoso") == [(2,)]


def test_checksum_mismatch_fails_the_day_and_keeps_the_old_content(fresh_db, tmp_path):
    good = [hoso("000.00.16.H60-211214-0001", DAY)]
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl(good)},
        generated_at=datetime(2021, 12, 15, 1),
    )
    load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl(good * 2)},
        generated_at=datetime(2021, 12, 15, 9),
        sha_override={"hoso.jsonl": "0" * 64},
    )
    with pytest.raises(ManifestError) as err:
        load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
    assert "onestop 2021-12-14 hoso.jsonl" in str(err.value) and "sha256" in str(err.value)
    assert q(fresh_db, "select count(*) from raw.onestop_hoso") == [(1,)]
    events = q(fresh_db, "select event, file_name from audit.day_events")
    assert events == [("failed", "hoso.jsonl")]


def test_row_count_mismatch_fails_the_whole_day(fresh_db, tmp_path):
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl([hoso("A-211214-0001", DAY)])},
        rows={"hoso.jsonl": 2},
    )
    with pytest.raises(ManifestError, match="declares 2 rows but the file holds 1 records"):
        load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
    assert q(fresh_db, "select count(*) from raw.onestop_hoso") == [(0,)]
    assert q(fresh_db, "select count(*) from audit.load_batches") == [(0,)]


def test_truncated_file_fails_the_day_as_a_whole(fresh_db, tmp_path):
    quatrinh = csv_bytes(
        ["MaHoSo", "ThuTu", "MaTrangThai", "ThoiDiem", "MaCoQuanXuLy", "GhiChu"],
        [["A", "1", "2", "2021-12-14 08:00:00", "X", "ok"]],
    )
    cut = jsonl([hoso("A-211214-0001", DAY), hoso("A-211214-0002", DAY)])[:-40]
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": cut, "quatrinh.csv": quatrinh},
        rows={"hoso.jsonl": 2},
    )
    with pytest.raises(SourceFormatError, match="cut short"):
        load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
    assert q(fresh_db, "select count(*) from raw.onestop_quatrinh") == [(0,)]


def test_missing_required_column_names_it(fresh_db, tmp_path):
    bad = csv_bytes(["ma_van_ban", "ma_co_quan_nhan_moi", "thu_tu"], [["VB1", "X", "1"]], bom=True)
    write_day(tmp_path, "docmgmt", DAY, {"noinhan.csv": bad})
    with pytest.raises(SchemaBreakError) as err:
        load.load_day(tmp_path, "docmgmt", DAY, url=fresh_db)
    assert err.value.field == "ma_co_quan_nhan" and "noinhan.csv" in str(err.value)


def test_absent_and_unlisted_files(fresh_db, tmp_path):
    folder = write_day(tmp_path, "onestop", DAY)
    (folder / "extra.csv").write_text("not in the manifest")
    result = load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
    assert any("extra.csv" in w for w in result.warnings)
    (folder / "quatrinh.csv").unlink()
    with pytest.raises(ManifestError, match="absent from the folder"):
        load.load_day(tmp_path, "onestop", DAY, url=fresh_db, force=True)


def test_day_not_landed_or_still_being_written(fresh_db, tmp_path):
    with pytest.raises(ManifestError, match="has not landed"):
        load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
    write_day(tmp_path, "onestop", DAY, manifest=False)
    with pytest.raises(ManifestError, match="still being written"):
        load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
    assert q(fresh_db, "select event from audit.day_events") == [("failed",)]  # only the first


def test_rejected_batch_is_not_published(fresh_db, tmp_path):
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl([hoso("A-211214-0001", DAY)])},
        generated_at=datetime(2021, 12, 15, 1),
    )
    load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    write_day(
        tmp_path,
        "onestop",
        DAY,
        {"hoso.jsonl": jsonl([hoso("B-211214-0001", DAY)])},
        generated_at=datetime(2021, 12, 15, 9),
    )
    result = load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
    load.reject_batch(result.batch_id, "test: a critical check failed", url=fresh_db)
    published = q(
        fresh_db,
        "select r.ma_ho_so from raw.onestop_hoso r join audit.load_batches b "
        "on b.batch_id = r._batch_id where b.status = 'published'",
    )
    assert published == [("A-211214-0001",)]


def _big_day(landing: Path, n: int) -> None:
    records = [hoso(f"000.00.16.H60-211214-{i:06d}", DAY) for i in range(n)]
    write_day(landing, "onestop", DAY, {"hoso.jsonl": jsonl(records)})


LOADER = """
import sys
from datetime import date
from pathlib import Path
from cchc_warehouse import load
r = load.ingest_day(Path(sys.argv[1]), "onestop", date(2021, 12, 14), url=sys.argv[2], validate=False)
print(r.status, r.rows_loaded)
"""


@pytest.mark.slow
def test_a_load_killed_mid_copy_leaves_nothing_and_the_rerun_completes(fresh_db, tmp_path):
    n = 150_000
    _big_day(tmp_path, n)
    proc = subprocess.Popen([sys.executable, "-c", LOADER, str(tmp_path), fresh_db])
    deadline = time.time() + 60
    while time.time() < deadline:
        active = q(
            fresh_db,
            "select count(*) from pg_stat_activity where query ilike 'copy %%raw%%' and state = 'active'",
        )
        if active[0][0]:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the load never reached COPY")
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(0.5)  # the server notices the broken connection and rolls back
    assert q(fresh_db, "select count(*) from raw.onestop_hoso") == [(0,)]
    assert q(fresh_db, "select count(*) from audit.load_batches") == [(0,)]
    result = load.ingest_day(tmp_path, "onestop", DAY, url=fresh_db, validate=False)
    assert result.status == "published" and result.rows_loaded == n
    assert q(fresh_db, "select count(*), count(distinct ma_ho_so) from raw.onestop_hoso") == [
        (n, n)
    ]


@pytest.mark.slow
def test_two_loads_of_the_same_day_at_once_do_not_corrupt_each_other(fresh_db, tmp_path):
    n = 40_000
    _big_day(tmp_path, n)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, str(tmp_path), fresh_db],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    statuses = sorted(o[0].split()[0] for o in outs if o[0])
    assert statuses in (["published", "unchanged"], ["published", "published"]), outs
    assert q(
        fresh_db,
        "select count(*), count(distinct ma_ho_so) from raw.onestop_hoso r join audit.load_batches b "
        "on b.batch_id = r._batch_id where b.status = 'published'",
    ) == [(n, n)]
    assert q(fresh_db, "select count(*) from audit.load_batches where status = 'published'") == [
        (1,)
    ]
    rows = q(fresh_db, "select count(*) from raw.onestop_hoso")[0][0]
    assert rows == n, "an unpublished or superseded batch left rows behind"


def test_manifest_of_another_day_is_refused(fresh_db, tmp_path):
    folder = write_day(tmp_path, "onestop", DAY)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["export_date"] = "2021-12-13"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ManifestError, match="manifest says export_date '2021-12-13'"):
        load.load_day(tmp_path, "onestop", DAY, url=fresh_db)
