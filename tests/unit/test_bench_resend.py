"""The bench's re-sent day: a newer send with the same records in other bytes, which the loader
accepts (checksums verified) and must treat as a replacement of the published day."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

import orjson
from cchc_warehouse import landing

from bench.resend import resend_day, write_resend

DAY = date(2021, 1, 19)


def _landing(root, day=DAY):
    folder = root / "onestop" / day.isoformat()
    folder.mkdir(parents=True)
    hoso = (
        '{"MaHoSo":"H1","TenNguoiNop":"Nguyễn Văn A"}\n{"MaHoSo":"H2","TenNguoiNop":"Lê Thị B"}\n'
        "not json\n"
    ).encode()
    quatrinh = b"MaHoSo,ThoiDiem\nH1,20210119080000\n"
    files = []
    for name, data, rows in (("hoso.jsonl", hoso, 3), ("quatrinh.csv", quatrinh, 1)):
        (folder / name).write_bytes(data)
        files.append(
            {
                "name": name,
                "rows": rows,
                "sha256": hashlib.sha256(data).hexdigest(),
                "encoding": "utf-8",
            }
        )
    manifest = {
        "system": "onestop",
        "export_date": day.isoformat(),
        "province_code": "94",
        "generated_at": "2021-01-20T01:36:59+07:00",
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def test_a_resend_holds_the_same_records_in_other_bytes_and_verifies(tmp_path):
    src = _landing(tmp_path / "landing")
    sends = [write_resend(tmp_path / "landing", tmp_path / f"resend{n}", DAY, n) for n in (1, 2)]
    generated = [datetime.fromisoformat("2021-01-20T01:36:59+07:00")]
    for dst in sends:
        folder = landing.DayFolder("onestop", DAY, dst)
        manifest = landing.read_manifest(folder)
        checks, unlisted = landing.verify_files(folder, manifest)  # raises on a wrong sha256
        assert not unlisted and len(checks) == 2
        assert manifest.generated_at > generated[-1]  # newer than the send it replaces
        generated.append(manifest.generated_at)
        old, new = (p.read_bytes().splitlines() for p in (src / "hoso.jsonl", dst / "hoso.jsonl"))
        assert new != old and len(new) == len(old)
        assert [orjson.loads(x) for x in new[:2]] == [orjson.loads(x) for x in old[:2]]
        assert new[2] == old[2] == b"not json"  # a broken line stays as broken, on its line
        assert (dst / "quatrinh.csv").read_bytes() == (src / "quatrinh.csv").read_bytes()
    hashes = {json.loads((d / "manifest.json").read_text())["files"][0]["sha256"] for d in sends}
    assert len(hashes) == 2  # each re-send differs from the one before


def test_the_resent_day_is_a_whole_weekday(tmp_path):
    root = tmp_path / "landing"
    for d in range(12, 24):
        (root / "onestop" / f"2021-01-{d:02d}").mkdir(parents=True)
    (root / "_truth").mkdir()
    truth = {"late_days": [{"system": "onestop", "export_date": "2021-01-18"}], "resent_days": []}
    (root / "_truth" / "defects.json").write_text(json.dumps(truth))
    # 12/01 + min(35, 11 // 2) = 17/01, a Sunday; 18/01 arrived late: 19/01
    assert resend_day(root, date(2021, 1, 12), date(2021, 1, 23)) == DAY
