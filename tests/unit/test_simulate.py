"""The source simulator end to end on small runs: layout, manifests, formats, determinism,
defects, the 2025 reorganisation, and province-scale calibration. No database."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import time
import unicodedata
import zipfile
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cchc_warehouse.simulate import DEFECT_CLASSES, generate
from defusedxml import ElementTree as SafeET
from openpyxl import load_workbook

START, END = date(2021, 1, 4), date(2021, 1, 24)  # three weeks, Tết-free, 21 export days
FILES = {
    "onestop": ["hoso.jsonl", "quatrinh.csv"],
    "docmgmt": ["vanban.csv", "noinhan.csv", "trangthai.xml"],
    "portal": ["coquan.json", "thutuc.json", "thanhtoan.csv", "danhgia.xlsx"],
}
HOSO_FIELDS = [
    "MaHoSo", "MaTTHC", "MaLinhVuc", "MaCoQuan", "KenhThucHien", "LoaiDoiTuong", "ChuHoSo",
    "SoGiayTo", "SoDienThoai", "NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy",
    "NgayTra", "HinhThucTra", "TrangThaiHoSo", "DuocThanhToanTrucTuyen", "LePhi",
    "HoSoCoThanhPhanSoHoa", "NgayCapNhat",
]  # fmt: skip
HEADERS = {
    "quatrinh.csv": ["MaHoSo", "ThuTu", "MaTrangThai", "ThoiDiem", "MaCoQuanXuLy", "GhiChu"],
    "vanban.csv": [
        "ma_van_ban",
        "so_ky_hieu",
        "loai_van_ban",
        "trich_yeu",
        "huong",
        "ma_co_quan",
        "ma_co_quan_gui",
        "ngay_van_ban",
        "thoi_diem_gui",
        "hinh_thuc_gui",
        "ky_so",
        "lien_thong",
        "han_xu_ly",
        "ngay_cap_nhat",
    ],  # fmt: skip
    "noinhan.csv": ["ma_van_ban", "ma_co_quan_nhan", "thu_tu"],
    "thanhtoan.csv": ["ma_giao_dich", "ma_ho_so", "so_tien", "kenh", "trang_thai", "thoi_diem"],
}
TRUTH_DOSSIER = [
    "carried_over", "received_online", "received_in_person_or_post", "received_by_post",
    "received", "total_to_handle", "resolved_early", "resolved_on_time", "resolved_late",
    "resolved", "withdrawn_or_stopped", "pending_within_deadline", "pending_overdue", "pending",
    "not_accepted",
]  # fmt: skip
TRUTH_DOCUMENT = [
    "outgoing", "outgoing_electronic", "outgoing_parallel", "outgoing_paper", "outgoing_signed",
    "outgoing_via_axis", "incoming", "with_deadline", "processed_on_time", "processed_late",
    "overdue_open",
]  # fmt: skip
ICT = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(out, START, END, seed=3, defects="none", warmup_days=40)
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dirty")
    generate(out, START, END, seed=3, defects="all", warmup_days=40)
    return out


# --------------------------------------------------------------------- readers
def decode_lines(data: bytes) -> list[str | None]:
    """Lines of a text file: UTF-8 (BOM dropped), or Windows-1258 when most lines are not UTF-8;
    a line no encoding reads is None (the warehouse quarantines it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    raw = data.split(b"\n")
    if raw and raw[-1] == b"":
        raw = raw[:-1]
    out: list[str | None] = []
    bad = 0
    for line in raw:
        try:
            out.append(line.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError:
            out.append(None)
            bad += 1
    non_ascii = sum(1 for line in raw if not line.isascii())
    if bad and bad * 2 > non_ascii:
        out = []
        for line in raw:
            try:
                out.append(line.decode("cp1258").rstrip("\r"))
            except UnicodeDecodeError:
                out.append(None)
    return [unicodedata.normalize("NFC", x) if x is not None else None for x in out]


def read_csv(path: Path) -> tuple[list[str], list[list[str] | None]]:
    lines = decode_lines(path.read_bytes())
    header = next(csv.reader([lines[0]]))
    rows: list[list[str] | None] = []
    for line in lines[1:]:
        row = next(csv.reader([line])) if line is not None else None
        rows.append(row if row is not None and len(row) == len(header) else None)
    return header, rows


def read_jsonl(path: Path) -> list[dict | None]:
    out: list[dict | None] = []
    for line in decode_lines(path.read_bytes()):
        try:
            out.append(json.loads(line) if line is not None else None)
        except json.JSONDecodeError:
            out.append(None)
    return out


def read_xml(path: Path) -> list[dict | None]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    out: list[dict | None] = []
    for chunk in re.findall(r"<TrangThai>.*?</TrangThai>", text, flags=re.S):
        try:
            el = SafeET.fromstring(chunk)
        except SafeET.ParseError:
            out.append(None)
            continue
        out.append({c.tag: (c.text or "") for c in el})
    return out


def read_xlsx(path: Path) -> tuple[list[str], list[list]]:
    wb = load_workbook(path, read_only=True)
    ws = wb["DanhGia"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return [str(x) for x in rows[0]], rows[1:]


def count_records(path: Path) -> int:
    name = path.name
    if name.endswith(".jsonl"):
        return len(decode_lines(path.read_bytes()))
    if name.endswith(".csv"):
        return len(decode_lines(path.read_bytes())) - 1
    if name.endswith(".xml"):
        return path.read_bytes().count(b"<TrangThai>")
    if name.endswith(".json"):
        return len(json.loads(path.read_bytes()))
    return len(read_xlsx(path)[1])


def day_folders(root: Path, system: str) -> list[Path]:
    return sorted(p for p in (root / system).iterdir() if p.is_dir())


def defects_doc(root: Path) -> dict:
    return json.loads((root / "_truth" / "defects.json").read_text(encoding="utf-8"))


def truth_rows(root: Path, name: str) -> list[dict]:
    with (root / "_truth" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------- determinism
def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_the_same_bytes(tmp_path):
    kw = {"seed": 11, "warmup_days": 20}
    generate(tmp_path / "a", date(2021, 3, 1), date(2021, 3, 12), **kw)
    generate(tmp_path / "b", date(2021, 3, 1), date(2021, 3, 12), **kw)
    generate(tmp_path / "c", date(2021, 3, 1), date(2021, 3, 12), seed=12, warmup_days=20)
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert a == b
    assert any(name.endswith("danhgia.xlsx") for name in a)  # the xlsx is reproducible too
    assert a != c


def test_small_two_month_run_is_fast(tmp_path):
    cpu = time.process_time()
    summary = generate(tmp_path, date(2021, 3, 1), date(2021, 4, 30), seed=1)
    assert time.process_time() - cpu < 10  # CPU seconds: ~2 on a laptop core
    assert summary["as_of_date"] == "2021-04-30"


# ---------------------------------------------------------- layout & formats
def test_layout_and_manifests(clean):
    days = (END - START).days + 1
    for system, names in FILES.items():
        folders = day_folders(clean, system)
        assert [f.name for f in folders] == [
            (START + timedelta(days=i)).isoformat() for i in range(days)
        ]
        for folder in folders:
            m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            assert m["system"] == system and m["export_date"] == folder.name
            assert m["province_code"] == "94"
            gen = datetime.fromisoformat(m["generated_at"])
            assert m["generated_at"].endswith("+07:00")
            assert gen.date() == date.fromisoformat(folder.name) + timedelta(days=1)
            assert m["window"] == {
                "from": f"{folder.name}T00:00:00+07:00",
                "to": f"{date.fromisoformat(folder.name) + timedelta(days=1)}T00:00:00+07:00",
            }
            assert [f["name"] for f in m["files"]] == names
            assert sorted(p.name for p in folder.iterdir()) == sorted([*names, "manifest.json"])
            for f in m["files"]:
                path = folder / f["name"]
                assert f["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
                assert f["rows"] == count_records(path), (folder, f["name"])
                assert f["encoding"] == ("binary" if f["name"].endswith(".xlsx") else "utf-8")


def test_files_parse_per_contract(clean):
    statuses = Counter()
    for folder in day_folders(clean, "onestop"):
        for rec in read_jsonl(folder / "hoso.jsonl"):
            assert rec is not None and list(rec) == HOSO_FIELDS
            assert all(isinstance(v, str) for v in rec.values())
            assert rec["MaHoSo"].startswith(rec["MaCoQuan"] + "-")
            assert re.fullmatch(r"\d{12}", rec["SoGiayTo"])
            for k in ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra",
                      "NgayCapNhat"):  # fmt: skip
                assert rec[k] == "" or re.fullmatch(r"\d{14}", rec[k])
            assert rec["NgayCapNhat"][:8] == folder.name.replace("-", "")
            statuses[rec["TrangThaiHoSo"]] += 1
        header, rows = read_csv(folder / "quatrinh.csv")
        assert header == HEADERS["quatrinh.csv"] and all(r is not None for r in rows)
        assert not (folder / "quatrinh.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert {"1", "2", "3", "4", "9", "10"} <= set(statuses)
    for folder in day_folders(clean, "docmgmt"):
        for name in ("vanban.csv", "noinhan.csv"):
            assert (folder / name).read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
            header, rows = read_csv(folder / name)
            assert header == HEADERS[name] and all(r is not None for r in rows)
        root = SafeET.fromstring((folder / "trangthai.xml").read_bytes())
        assert root.tag == "DanhSachTrangThai" and root.get("ngayXuat") == folder.name
        for el in root:
            tags = [c.tag for c in el]
            assert tags == ["MaVanBan", "MaCoQuanBaoCao", "MaTrangThai", "ThoiDiem", "GhiChu"]
            when = datetime.fromisoformat(el.findtext("ThoiDiem"))
            local = when.astimezone(ICT).date()
            assert local.isoformat() == folder.name  # the file of the day its ThoiDiem falls in
    for folder in day_folders(clean, "portal"):
        agencies = json.loads((folder / "coquan.json").read_bytes())
        assert {a["Cap"] for a in agencies} == {"TINH", "SO", "HUYEN", "XA"}
        assert all(set(a) == {"MaCoQuan", "TenCoQuan", "Cap", "MaCoQuanCha", "MaDonViHanhChinh",
                              "HieuLucTu", "HieuLucDen", "MaCoQuanKeThua"} for a in agencies)  # fmt: skip
        procs = json.loads((folder / "thutuc.json").read_bytes())
        assert all(p["MucDo"] in (2, 3, 4) for p in procs)  # before Nghị định 42/2022
        assert all(isinstance(p[k], bool) for p in procs
                   for k in ("TichHopDVCQG", "CoPhiLePhi", "ThanhToanTrucTuyen", "CoBCCI",
                             "HieuLuc"))  # fmt: skip
        assert all(isinstance(p["CoQuanThucHien"], list) for p in procs)
        header, rows = read_csv(folder / "thanhtoan.csv")
        assert header == HEADERS["thanhtoan.csv"]
        assert all(r[4] in ("THANH_CONG", "THAT_BAI", "HOAN_TIEN") for r in rows)
        header, rows = read_xlsx(folder / "danhgia.xlsx")
        assert header == ["Mã hồ sơ", "Kênh đánh giá", "Mức độ hài lòng", "Thời điểm"]
        for r in rows:
            assert isinstance(r[3], datetime) and r[3].date().isoformat() == folder.name
            assert r[2] in ("Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng")


def test_text_is_nfc_without_defects(clean):
    for path in clean.glob("[a-z]*/*/*"):
        if path.suffix in (".jsonl", ".csv", ".xml", ".json"):
            text = path.read_bytes().decode("utf-8-sig")
            assert unicodedata.is_normalized("NFC", text), path


def test_a_dossier_changes_several_times_a_day_and_keeps_history(clean):
    per_day = Counter()
    for folder in day_folders(clean, "onestop"):
        keys = Counter(r["MaHoSo"] for r in read_jsonl(folder / "hoso.jsonl"))
        per_day[max(keys.values(), default=0)] += 1
    assert max(per_day) >= 2  # the same dossier appears more than once in one day's file


def test_mucdo_switches_to_nd42_names(tmp_path):
    generate(tmp_path, date(2022, 7, 30), date(2022, 8, 2), seed=2, defects="none", warmup_days=5)
    before = json.loads((tmp_path / "portal/2022-07-31/thutuc.json").read_bytes())
    after = json.loads((tmp_path / "portal/2022-08-01/thutuc.json").read_bytes())
    assert {p["MucDo"] for p in before} <= {2, 3, 4}
    assert {p["MucDo"] for p in after} <= {"THONG_TIN", "MOT_PHAN", "TOAN_TRINH"}


# ------------------------------------------------------------------ defects
def test_every_defect_class_is_placed_and_recorded(dirty):
    doc = defects_doc(dirty)
    assert {i["class"] for i in doc["instances"]} == set(DEFECT_CLASSES)
    expects = {i["expect"] for i in doc["instances"]}
    assert expects == {"quarantine", "flag", "fail_day", "missing", "resend", "late", "loaded"}
    assert doc["failed_days"] and doc["missing_days"] and doc["late_days"] and doc["resent_days"]
    last = END.isoformat()
    for x in doc["missing_days"]:
        assert not (dirty / x["system"] / x["export_date"]).exists()
        assert x["export_date"] != last
    for x in doc["failed_days"]:
        assert x["export_date"] != last and x["class"] in ("truncated", "manifest_mismatch")
    for x in doc["late_days"]:
        assert x["arrives_after"] > x["export_date"]
        assert (dirty / x["system"] / x["export_date"] / "manifest.json").exists()
    for x in doc["resent_days"]:
        first = json.loads((dirty / x["first_send"] / "manifest.json").read_bytes())
        land = json.loads((dirty / x["system"] / x["export_date"] / "manifest.json").read_bytes())
        assert first["generated_at"] < land["generated_at"]
        assert first["files"] != land["files"]
    for i in doc["instances"]:
        assert i["system"] in FILES and (i["file"] is None or i["file"] in FILES[i["system"]])


def _manifest_ok(folder: Path) -> bool:
    m = json.loads((folder / "manifest.json").read_bytes())
    for f in m["files"]:
        path = folder / f["name"]
        if f["sha256"] != hashlib.sha256(path.read_bytes()).hexdigest():
            return False
        try:
            if f["rows"] != count_records(path):
                return False
        except (ValueError, OSError, zipfile.BadZipFile):  # json / xlsx cut short: unreadable
            return False
        if path.suffix in (".jsonl", ".csv", ".xml") and not path.read_bytes().endswith(b"\n"):
            return False  # cut short
    return True


def test_broken_sends_are_broken_and_resends_are_whole(dirty):
    doc = defects_doc(dirty)
    for x in doc["failed_days"]:
        assert not _manifest_ok(dirty / x["system"] / x["export_date"])
    for x in doc["resent_days"]:
        assert _manifest_ok(dirty / x["system"] / x["export_date"])
        first = dirty / x["first_send"]
        if x["class"] in ("truncated", "manifest_mismatch"):
            assert not _manifest_ok(first)
        if x["class"] == "schema_break":
            m = json.loads((first / "manifest.json").read_bytes())
            files = {f["name"] for f in m["files"]}
            texts = [(first / n).read_bytes() for n in files if not n.endswith(".xlsx")]
            assert any(re.search(rb"ThoiGian|thoi_gian_gui|MaTinhTrang|tinh_trang|MaThuTuc|"
                                 rb"NgayTiepNhanHS", t) for t in texts)  # fmt: skip


def test_quarantined_records_are_unreadable_and_counted(dirty):
    doc = defects_doc(dirty)
    expected = Counter()
    for i in doc["instances"]:
        if i["expect"] != "quarantine":
            continue
        expected[(i["system"], i["export_date"], i["file"])] += 1
        path = dirty / i["system"] / i["export_date"] / i["file"]
        if path.suffix == ".jsonl":
            assert read_jsonl(path)[i["line"] - 1] is None
        elif path.suffix == ".csv":
            assert read_csv(path)[1][i["line"] - 1] is None
        elif path.suffix == ".xml":
            assert read_xml(path)[i["line"] - 1] is None
        else:
            row = read_xlsx(path)[1][i["line"] - 1]
            assert isinstance(row[3], str) and row[3].startswith("=")
    listed = {(q["system"], q["export_date"], q["file"]): q["count"]
              for q in doc["expected_quarantine"]}  # fmt: skip
    assert listed == dict(expected)


def test_flagged_and_loaded_defects_show_in_the_files(dirty):
    doc = defects_doc(dirty)
    seen = Counter()
    for i in doc["instances"]:
        if i["line"] is None or i["file"] != "hoso.jsonl":
            continue
        rec = read_jsonl(dirty / i["system"] / i["export_date"] / i["file"])[i["line"] - 1]
        if i["class"] == "messy_codes":
            code = next(v for k, v in rec.items() if k in ("MaCoQuan", "MaTTHC", "MaLinhVuc")
                        and v != v.strip().upper())  # fmt: skip
            assert code.strip().upper() != code
        elif i["class"] == "null_dates" and i["expect"] == "loaded":
            assert "00000000000000" in rec.values()
        elif i["class"] == "clock_errors" and "before" in i["detail"]:
            assert rec["NgayKetThucXuLy"] < rec["NgayTiepNhan"]
        elif i["class"] == "encoding":
            raw = (dirty / i["system"] / i["export_date"] / i["file"]).read_bytes().split(b"\n")
            assert not unicodedata.is_normalized("NFC", json.loads(raw[i["line"] - 1])["ChuHoSo"])
        seen[i["class"]] += 1
    assert {"messy_codes", "null_dates", "encoding"} <= set(seen)
    cp1258 = [i for i in doc["instances"] if "Windows-1258" in i["detail"]]
    assert any("wrongly" in i["detail"] for i in cp1258)
    assert any("wrongly" not in i["detail"] for i in cp1258)
    for i in cp1258:
        data = (dirty / i["system"] / i["export_date"] / i["file"]).read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        m = json.loads((dirty / i["system"] / i["export_date"] / "manifest.json").read_bytes())
        declared = next(f["encoding"] for f in m["files"] if f["name"] == i["file"])
        assert declared == ("utf-8" if "wrongly" in i["detail"] else "windows-1258")


def test_schema_drift_keeps_the_new_column(dirty):
    drift = [i for i in defects_doc(dirty)["instances"] if i["class"] == "schema_drift"]
    assert drift
    for i in drift:
        new = i["detail"].split()[2]
        later = [f for f in day_folders(dirty, i["system"]) if f.name >= i["export_date"]]
        for folder in later[-2:]:
            assert new.encode() in (folder / i["file"]).read_bytes()


def test_a_subset_of_defects(tmp_path):
    generate(tmp_path, START, END, seed=3, defects="duplicates,messy_codes", warmup_days=10)
    doc = defects_doc(tmp_path)
    assert {i["class"] for i in doc["instances"]} == {"duplicates", "messy_codes"}
    assert not (tmp_path / "_first_send").exists()
    assert not doc["failed_days"] and not doc["missing_days"] and not doc["resent_days"]
    with pytest.raises(ValueError, match="unknown defect class"):
        generate(tmp_path, START, END, defects="nonsense")


# -------------------------------------------------------------------- truth
def test_identity_holds_on_every_truth_row(dirty):
    rows = truth_rows(dirty, "rpt_dossier_resolution.csv")
    assert rows
    for r in rows:
        n = {k: int(r[k]) for k in TRUTH_DOSSIER}
        assert n["carried_over"] + n["received"] == n["resolved"] + n["withdrawn_or_stopped"] + n[
            "pending"
        ], r  # fmt: skip
        assert n["total_to_handle"] == n["carried_over"] + n["received"]
        assert n["received"] == n["received_online"] + n["received_in_person_or_post"]
        assert n["resolved"] == n["resolved_early"] + n["resolved_on_time"] + n["resolved_late"]
        assert n["pending"] == n["pending_within_deadline"] + n["pending_overdue"]
        assert any(n.values())
    for r in truth_rows(dirty, "rpt_document_exchange.csv"):
        n = {k: int(r[k]) for k in TRUTH_DOCUMENT}
        assert n["with_deadline"] == n["processed_on_time"] + n["processed_late"] + n[
            "overdue_open"
        ]  # fmt: skip
        assert n["outgoing"] == n["outgoing_electronic"] + n["outgoing_parallel"] + n[
            "outgoing_paper"
        ]  # fmt: skip


def test_truth_facts_reconcile_with_the_landing(dirty):
    facts = json.loads((dirty / "_truth" / "facts.json").read_bytes())
    doc = defects_doc(dirty)
    assert facts["as_of_date"] == END.isoformat()
    written = Counter()
    for system in FILES:
        for folder in day_folders(dirty, system):
            for f in json.loads((folder / "manifest.json").read_bytes())["files"]:
                written[f["name"]] += f["rows"]
    quarantined = Counter()
    for q in doc["expected_quarantine"]:
        quarantined[q["file"]] += q["count"]
    for name, f in facts["files"].items():
        assert f["landing_records"] == written[name]
        assert f["expected_quarantined"] == quarantined[name]
        assert f["expected_raw_rows"] == f["published_records"] - f["expected_quarantined"]
    assert facts["totals"]["agencies"] == 13 and facts["totals"]["dossiers"] > 500


# ----------------------------------------------- independent recount of the truth
def _all_periods(y0: int, y1: int) -> list[tuple]:
    def month_end(y, m):
        return date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)

    def nd(y, m):
        return date(y - 1, 12, 15) if m == 1 else date(y, m - 1, 15)

    out = []
    for y in range(y0, y1 + 1):
        for m in range(1, 13):
            out.append(("nd09", "month", f"{y}-{m:02d}", nd(y, m), date(y, m, 14)))
            out.append(("calendar", "month", f"{y}-{m:02d}", date(y, m, 1), month_end(y, m)))
        for q in range(1, 5):
            out.append(("nd09", "quarter", f"{y}-Q{q}", nd(y, 3 * q - 2), date(y, 3 * q, 14)))
            out.append(("calendar", "quarter", f"{y}-Q{q}", date(y, 3 * q - 2, 1),
                        month_end(y, 3 * q)))  # fmt: skip
        out += [
            ("nd09", "half_year", f"{y}-H1", date(y - 1, 12, 15), date(y, 6, 14)),
            ("nd09", "nine_months", f"{y}-9M", date(y - 1, 12, 15), date(y, 9, 14)),
            ("nd09", "year", f"{y}", date(y - 1, 12, 15), date(y, 12, 14)),
            ("calendar", "half_year", f"{y}-H1", date(y, 1, 1), date(y, 6, 30)),
            ("calendar", "half_year", f"{y}-H2", date(y, 7, 1), date(y, 12, 31)),
            ("calendar", "nine_months", f"{y}-9M", date(y, 1, 1), date(y, 9, 30)),
            ("calendar", "year", f"{y}", date(y, 1, 1), date(y, 12, 31)),
        ]
    return out


def _published(root: Path, system: str) -> list[Path]:
    failed = {(x["system"], x["export_date"]) for x in defects_doc(root)["failed_days"]}
    return [f for f in day_folders(root, system) if (system, f.name) not in failed]


def _ymd(v: str) -> date | None:
    v = v.strip()
    if v in ("", "00000000000000"):
        return None
    return date(int(v[:4]), int(v[4:6]), int(v[6:8]))


def _latest_dossiers(root: Path) -> dict[str, dict]:
    best: dict[str, tuple] = {}
    for folder in _published(root, "onestop"):
        for line, rec in enumerate(read_jsonl(folder / "hoso.jsonl"), start=1):
            if rec is None:
                continue  # quarantined
            key = (rec["NgayCapNhat"], folder.name, line)
            if rec["MaHoSo"] not in best or key >= best[rec["MaHoSo"]][0]:
                best[rec["MaHoSo"]] = (key, rec)
    return {k: v[1] for k, v in best.items()}


def _recount_dossiers(root: Path, periods: list[tuple]) -> dict[tuple, Counter]:
    out: dict[tuple, Counter] = {}
    for rec in _latest_dossiers(root).values():
        st = int(rec["TrangThaiHoSo"])
        ag = rec["MaCoQuan"].strip().upper()
        acc, end, due = _ymd(rec["NgayTiepNhan"]), _ymd(rec["NgayKetThucXuLy"]), _ymd(
            rec["NgayHenTra"]
        )  # fmt: skip
        sub = _ymd(rec["NgayNopHoSo"])
        ch = rec["KenhThucHien"]
        accepted = st not in (1, 3) and acc is not None
        end_eff = max(end, acc) if (end and accepted) else end
        for conv, kind, label, ps, pe in periods:
            c = out.setdefault((conv, kind, label, ag), Counter())
            if st == 3 and ps <= sub <= pe:
                c["not_accepted"] += 1
            if not accepted:
                continue
            if acc < ps and (end_eff is None or end_eff >= ps):
                c["carried_over"] += 1
            if ps <= acc <= pe:
                c["received"] += 1
                c["received_online" if ch == "2" else "received_in_person_or_post"] += 1
                c["received_by_post"] += ch == "3"
            if end_eff is not None and ps <= end_eff <= pe:
                if st in (7, 8):
                    c["withdrawn_or_stopped"] += 1
                else:
                    c["resolved"] += 1
                    if due is None or end == due:
                        c["resolved_on_time"] += 1
                    else:
                        c["resolved_early" if end < due else "resolved_late"] += 1
            if acc <= pe and (end_eff is None or end_eff > pe):
                c["pending"] += 1
                within = due is None or due >= pe
                c["pending_within_deadline" if within else "pending_overdue"] += 1
    for c in out.values():
        c["total_to_handle"] = c["carried_over"] + c["received"]
    return out


def _vn_dt(v: str) -> datetime:
    return datetime.strptime(v.strip(), "%d/%m/%Y %H:%M:%S" if v.count(":") == 2 else
                             "%d/%m/%Y %H:%M")  # fmt: skip


def _recount_documents(root: Path, periods: list[tuple]) -> dict[tuple, Counter]:
    best: dict[tuple, tuple] = {}
    first06: dict[tuple, date] = {}
    for folder in _published(root, "docmgmt"):
        header, rows = read_csv(folder / "vanban.csv")
        ix = {h: i for i, h in enumerate(header)}
        for line, row in enumerate(rows, start=1):
            if row is None:
                continue
            rec = {h: row[i] for h, i in ix.items()}
            key = (rec["ma_van_ban"], rec["ma_co_quan"].strip().upper(), rec["huong"])
            order = (_vn_dt(rec["ngay_cap_nhat"]), folder.name, line)
            if key not in best or order >= best[key][0]:
                best[key] = (order, rec)
        for st in read_xml(folder / "trangthai.xml"):
            if st is None or st["MaTrangThai"] != "06":
                continue
            when = datetime.fromisoformat(st["ThoiDiem"]).astimezone(ICT)
            k = (st["MaVanBan"], st["MaCoQuanBaoCao"].strip().upper())
            first06[k] = min(first06.get(k, when.date()), when.date())
    out: dict[tuple, Counter] = {}
    for (ma, ag, huong), (_, rec) in best.items():
        day = _vn_dt(rec["thoi_diem_gui"]).date()
        dl = datetime.strptime(rec["han_xu_ly"], "%d/%m/%Y").date() if rec["han_xu_ly"] else None
        done = first06.get((ma, ag))
        for conv, kind, label, ps, pe in periods:
            c = out.setdefault((conv, kind, label, ag), Counter())
            if huong == "DI" and ps <= day <= pe:
                c["outgoing"] += 1
                form = rec["hinh_thuc_gui"]
                c[{"DIEN_TU": "outgoing_electronic", "SONG_SONG": "outgoing_parallel"}.get(
                    form, "outgoing_paper")] += 1  # fmt: skip
                c["outgoing_signed"] += rec["ky_so"] == "1"
                c["outgoing_via_axis"] += rec["lien_thong"] == "1"
            if huong == "DEN" and ps <= day <= pe:
                c["incoming"] += 1
            if huong == "DEN" and dl and ps <= dl <= pe:
                c["with_deadline"] += 1
                if done is not None and done <= dl:
                    c["processed_on_time"] += 1
                elif done is not None and done <= pe:
                    c["processed_late"] += 1
                else:
                    c["overdue_open"] += 1
    return out


def _compare(truth: list[dict], recount: dict[tuple, Counter], columns: list[str]) -> None:
    expected = {
        k: {c: v[c] for c in columns} for k, v in recount.items() if any(v[c] for c in columns)
    }
    actual = {
        (r["period_convention"], r["period_type"], r["period_label"], r["agency_code"]): {
            c: int(r[c]) for c in columns
        }
        for r in truth
    }
    assert set(actual) == set(expected)
    diffs = [(k, actual[k], expected[k]) for k in actual if actual[k] != expected[k]]
    assert not diffs, diffs[:3]


@pytest.mark.parametrize("run", ["clean", "dirty"])
def test_truth_equals_an_independent_recount_of_the_files(run, request):
    root: Path = request.getfixturevalue(run)
    as_of = date.fromisoformat(json.loads((root / "_truth/facts.json").read_bytes())["as_of_date"])
    periods = [p for p in _all_periods(2019, 2022) if p[3] <= as_of]
    _compare(truth_rows(root, "rpt_dossier_resolution.csv"), _recount_dossiers(root, periods),
             TRUTH_DOSSIER)  # fmt: skip
    _compare(truth_rows(root, "rpt_document_exchange.csv"), _recount_documents(root, periods),
             TRUTH_DOCUMENT)  # fmt: skip


def test_province_indicators_match_the_files(dirty):
    as_of = END
    ind = {(r["scope_level"], r["indicator_code"]): r
           for r in truth_rows(dirty, "rpt_cchc_indicators.csv")
           if r["report_year"] == "2021" and r["scope_level"] == "province"}  # fmt: skip
    year = [("nd09", "year", "2021", date(2020, 12, 15), date(2021, 12, 14))]
    d = Counter()
    for c in _recount_dossiers(dirty, year).values():
        d.update(c)
    assert int(ind[("province", "III.7.1")]["value"]) == d["received"]
    on_time = d["resolved_early"] + d["resolved_on_time"]
    r = ind[("province", "III.7.3")]
    assert (int(r["numerator"]), int(r["denominator"])) == (on_time, d["resolved"])
    assert float(r["value"]) == pytest.approx(100 * on_time / d["resolved"])
    docs = Counter()
    for c in _recount_documents(dirty, year).values():
        docs.update(c)
    assert int(ind[("province", "VII.2.1")]["value"]) == docs["outgoing"]
    assert int(ind[("province", "VII.2.2")]["numerator"]) == docs["outgoing_electronic"]
    # catalogue at year end: the latest delivered portal snapshot on or before min(end, as_of)
    folder = _published(dirty, "portal")[-1]
    assert folder.name == as_of.isoformat()
    procs = [p for p in json.loads((folder / "thutuc.json").read_bytes()) if p["HieuLuc"]]
    lvl3 = {p["MaTTHC"] for p in procs if p["MucDo"] in (3, "MOT_PHAN")}
    lvl4 = {p["MaTTHC"] for p in procs if p["MucDo"] in (4, "TOAN_TRINH")}
    assert int(ind[("province", "VII.3.1")]["value"]) == len(lvl3)
    assert int(ind[("province", "VII.3.3")]["value"]) == len(lvl4)
    ratings = set()
    for f in _published(dirty, "portal"):
        for row in read_xlsx(f / "danhgia.xlsx")[1]:
            if isinstance(row[3], datetime):
                ratings.add((row[0], row[3]))
    assert int(ind[("province", "I.7.1")]["value"]) == len(ratings)


# --------------------------------------------------------- reorganisation
def test_reorganisation_shows_in_the_directory(tmp_path):
    generate(tmp_path, date(2025, 6, 27), date(2025, 7, 3), seed=4, defects="none",
             warmup_days=15)  # fmt: skip
    before = json.loads((tmp_path / "portal/2025-06-30/coquan.json").read_bytes())
    after = json.loads((tmp_path / "portal/2025-07-01/coquan.json").read_bytes())
    assert all(a["HieuLucDen"] is None for a in before)
    codes = {a["MaCoQuan"]: a for a in after}
    districts = [a for a in after if a["Cap"] == "HUYEN"]
    assert districts and all(a["HieuLucDen"] == "2025-06-30" for a in districts)
    ended = [a for a in after if a["HieuLucDen"]]
    assert all(a["MaCoQuanKeThua"] in codes for a in ended)
    assert any(a["Cap"] == "XA" for a in ended) and any(a["Cap"] == "SO" for a in ended)
    ubnd = codes["000.00.00.H60"]
    assert ubnd["MaCoQuanKeThua"] and codes[ubnd["MaCoQuanKeThua"]]["Cap"] == "TINH"
    new = [a for a in after if a["HieuLucTu"] == "2025-07-01"]
    assert new and all(a["MaCoQuan"].endswith(".H13") for a in new)
    in_force = {a["MaCoQuan"] for a in after if a["HieuLucDen"] is None}
    for rec in read_jsonl(tmp_path / "onestop/2025-07-03/hoso.jsonl"):
        if rec["NgayNopHoSo"] >= "20250701":  # new dossiers use the codes in force
            assert rec["MaCoQuan"] in in_force
    procs = json.loads((tmp_path / "portal/2025-07-01/thutuc.json").read_bytes())
    assert all(set(p["CoQuanThucHien"]) <= in_force for p in procs)


def test_no_reorganisation_when_switched_off(tmp_path):
    generate(tmp_path, date(2025, 6, 29), date(2025, 7, 2), seed=4, defects="none",
             warmup_days=5, reorganise_on=None)  # fmt: skip
    after = json.loads((tmp_path / "portal/2025-07-02/coquan.json").read_bytes())
    assert all(a["HieuLucDen"] is None for a in after)


# ---------------------------------------------------------------- calibration
@pytest.mark.slow
def test_province_scale_calibration(tmp_path):
    """One province week (Sóc Trăng 2021 shape): volumes, on-time, online, sending forms."""
    s = generate(tmp_path, date(2021, 3, 8), date(2021, 3, 14), seed=1, scale="province",
                 defects="none", warmup_days=12)  # fmt: skip
    assert s["totals"]["agencies"] == 140  # 2 + 18 + 11 + 109
    assert 1750 <= s["totals"]["procedures_in_force"] <= 1900
    accepted = Counter()
    for folder in day_folders(tmp_path, "onestop"):
        for rec in read_jsonl(folder / "hoso.jsonl"):
            if rec["TrangThaiHoSo"] == "2":
                accepted[folder.name] += 1
    weekdays = [accepted[d] for d in sorted(accepted) if date.fromisoformat(d).weekday() < 5]
    assert 1500 <= sum(weekdays) / len(weekdays) <= 2800  # ~500k a year
    assert accepted["2021-03-14"] < 0.1 * max(weekdays)  # Sunday
    ind = {r["indicator_code"]: r for r in truth_rows(tmp_path, "rpt_cchc_indicators.csv")
           if r["scope_level"] == "province" and r["report_year"] == "2021"}  # fmt: skip
    assert float(ind["III.7.3"]["value"]) > 98.5  # 492.120/496.038 = 99,2%
    online = int(ind["VII.3.7"]["value"]) / int(ind["VII.3.6"]["value"])
    assert 0.03 <= online <= 0.07  # 18.955/393.472 = 4,8%
    out = int(ind["VII.2.1"]["value"])
    assert 3500 <= out <= 6500  # ~251k a year, ~1000 a working day
    shares = [int(ind[k]["value"]) / out for k in ("VII.2.2", "VII.2.3", "VII.2.4")]
    for got, want in zip(shares, (0.676, 0.113, 0.211), strict=True):
        assert abs(got - want) < 0.04
    assert 250 <= int(ind["VII.3.1"]["value"]) <= 380 and int(ind["VII.3.3"]["value"]) >= 1250
