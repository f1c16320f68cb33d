"""GX on load batches: clean ones pass, broken ones fail critically, messy ones only warn."""

from __future__ import annotations

import json
from datetime import date, timedelta

import psycopg
import pytest
from cchc_warehouse import quality, warehouse
from cchc_warehouse.errors import QualityError
from psycopg import sql

AGENCY = "000.00.16.H56"
DAY = date(2021, 12, 14)  # a Tuesday

LOAD_COLUMNS = ("_extra", "_batch_id", "_export_date", "_file", "_line")


# --------------------------------------------------------------------------- clean rows per file
def hoso(i: int, day: date = DAY) -> dict:
    ymd = day.strftime("%Y%m%d")
    return {
        "ma_ho_so": f"{AGENCY}-{day:%y%m%d}-{i % 10000:04d}",
        "ma_tthc": "1.004227",
        "ma_linh_vuc": "G01",
        "ma_co_quan": AGENCY,
        "kenh_thuc_hien": str(1 + i % 3),
        "loai_doi_tuong": "1",
        "chu_ho_so": "Nguyễn Văn An",
        "so_giay_to": "001234567890",
        "so_dien_thoai": "0912345678",
        "ngay_nop_ho_so": f"{ymd}080000",
        "ngay_tiep_nhan": f"{ymd}081000",
        "ngay_hen_tra": f"{ymd}170000",
        "ngay_ket_thuc_xu_ly": "" if i % 2 else "00000000000000",
        "ngay_tra": "",
        "hinh_thuc_tra": "0",
        "trang_thai_ho_so": str(1 + i % 10),
        "duoc_thanh_toan_truc_tuyen": "0",
        "le_phi": "0",
        "ho_so_co_thanh_phan_so_hoa": "1",
        "ngay_cap_nhat": f"{ymd}090000",
    }


def quatrinh(i: int, day: date = DAY) -> dict:
    return {
        "ma_ho_so": f"{AGENCY}-{day:%y%m%d}-{i % 10000:04d}",
        "thu_tu": str(1 + i % 4),
        "ma_trang_thai": str(2 + i % 3),
        "thoi_diem": f"{day.isoformat()} 08:30:00",
        "ma_co_quan_xu_ly": AGENCY,
        "ghi_chu": "",
    }


def vanban(i: int, day: date = DAY) -> dict:
    return {
        "ma_van_ban": f"VB{i:06d}",
        "so_ky_hieu": f"{i}/BC-STTTT",
        "loai_van_ban": ["CV", "QD", "TTr", "BC"][i % 4],
        "trich_yeu": "Báo cáo cải cách hành chính",
        "huong": "DI" if i % 2 else "DEN",
        "ma_co_quan": AGENCY,
        "ma_co_quan_gui": "" if i % 2 else "000.00.00.G01",
        "ngay_van_ban": day.strftime("%d/%m/%Y"),
        "thoi_diem_gui": day.strftime("%d/%m/%Y 09:15"),
        "hinh_thuc_gui": ["DIEN_TU", "SONG_SONG", "GIAY"][i % 3],
        "ky_so": "1",
        "lien_thong": "0",
        "han_xu_ly": "",
        "ngay_cap_nhat": day.strftime("%d/%m/%Y 10:00:00"),
    }


def noinhan(i: int, day: date = DAY) -> dict:
    return {"ma_van_ban": f"VB{i:06d}", "ma_co_quan_nhan": "000.01.33.H56", "thu_tu": str(i % 3)}


def trangthai(i: int, day: date = DAY) -> dict:
    return {
        "ma_van_ban": f"VB{i:06d}",
        "ma_co_quan_bao_cao": "000.01.33.H56",
        "ma_trang_thai": f"0{1 + i % 6}",
        "thoi_diem": f"{day.isoformat()}T08:30:00+07:00",
        "ghi_chu": "",
    }


def coquan(i: int, day: date = DAY) -> dict:
    return {
        "ma_co_quan": f"000.{i % 100:02d}.{i // 100:02d}.H56",
        "ten_co_quan": "Sở Thông tin và Truyền thông",
        "cap": ["TINH", "SO", "HUYEN", "XA"][i % 4],
        "ma_co_quan_cha": None if i == 0 else "000.00.00.H56",
        "ma_don_vi_hanh_chinh": "94",
        "hieu_luc_tu": "2015-01-01",
        "hieu_luc_den": None,
        "ma_co_quan_ke_thua": None,
    }


def thutuc(i: int, day: date = DAY) -> dict:
    return {
        "ma_tthc": f"1.{i:06d}",
        "ten_tthc": "Cấp giấy phép",
        "ma_linh_vuc": "G01",
        "ten_linh_vuc": "Giáo dục",
        "cap_thuc_hien": "TINH",
        "co_quan_thuc_hien": json.dumps([AGENCY]),
        "muc_do": ["2", "3", "MOT_PHAN", "TOAN_TRINH"][i % 4],
        "tich_hop_dvcqg": "true",
        "co_phi_le_phi": "false",
        "thanh_toan_truc_tuyen": "false",
        "co_bcci": "true",
        "thoi_han_ngay": "15",
        "hieu_luc": "true",
        "ngay_cong_bo": "2021-01-01",
    }


def thanhtoan(i: int, day: date = DAY) -> dict:
    return {
        "ma_giao_dich": f"GD{i:08d}",
        "ma_ho_so": f"{AGENCY}-{day:%y%m%d}-{i % 10000:04d}",
        "so_tien": "50000",
        "kenh": ["PAYGOV", "VNPTPAY", "NGANHANG"][i % 3],
        "trang_thai": "THANH_CONG",
        "thoi_diem": f"{day.isoformat()} 10:11:12",
    }


def danhgia(i: int, day: date = DAY) -> dict:
    return {
        "ma_ho_so": f"{AGENCY}-{day:%y%m%d}-{i % 10000:04d}",
        "kenh_danh_gia": "Cổng dịch vụ công",
        "muc_do_hai_long": ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"][i % 4],
        "thoi_diem": f"{day.isoformat()} 14:00:00",
    }


FILES = {
    "onestop": {
        "hoso.jsonl": ("raw.onestop_hoso", hoso),
        "quatrinh.csv": ("raw.onestop_quatrinh", quatrinh),
    },
    "docmgmt": {
        "vanban.csv": ("raw.docmgmt_vanban", vanban),
        "noinhan.csv": ("raw.docmgmt_noinhan", noinhan),
        "trangthai.xml": ("raw.docmgmt_trangthai", trangthai),
    },
    "portal": {
        "coquan.json": ("raw.portal_coquan", coquan),
        "thutuc.json": ("raw.portal_thutuc", thutuc),
        "thanhtoan.csv": ("raw.portal_thanhtoan", thanhtoan),
        "danhgia.xlsx": ("raw.portal_danhgia", danhgia),
    },
}


def add_batch(
    url: str,
    system: str,
    day: date = DAY,
    rows: int = 50,
    *,
    status: str = "loaded",
    edit: dict | None = None,
    audit_rows: dict[str, int] | None = None,
    with_raw: bool = True,
) -> int:
    """A load batch of `system` for `day`: audit rows and `rows` clean raw rows per file.

    `edit` maps a file name to a function(i, row) -> row (or None to drop the row) applied to
    the generated rows; `audit_rows` overrides rows_loaded recorded for a file (a mismatch).
    """
    edit = edit or {}
    with warehouse.connect(url) as conn:
        batch_id = conn.execute(
            "insert into audit.load_batches (system, export_date, manifest, status) "
            "values (%s, %s, '{}', %s) returning batch_id",
            (system, day, status),
        ).fetchone()[0]
        for file_name, (table, make) in FILES[system].items():
            records = []
            for i in range(rows):
                record = make(i, day)
                if file_name in edit:
                    record = edit[file_name](i, record)
                if record is not None:
                    records.append(record)
            loaded = (audit_rows or {}).get(file_name, len(records))
            conn.execute(
                "insert into audit.batch_files (batch_id, file_name, raw_table, rows_declared, "
                "rows_loaded, rows_quarantined, sha256, bytes) "
                "values (%s, %s, %s, %s, %s, 0, 'x', 0)",
                (batch_id, file_name, table, loaded, loaded),
            )
            if not with_raw or not records:
                continue
            columns = list(records[0])
            with conn.cursor().copy(
                sql.SQL("copy {} ({}) from stdin").format(
                    sql.Identifier(*table.split(".")),
                    sql.SQL(", ").join(map(sql.Identifier, [*columns, *LOAD_COLUMNS])),
                )
            ) as copy:
                for line, record in enumerate(records, start=1):
                    copy.write_row([*record.values(), None, batch_id, day, file_name, line])
    return batch_id


def lines_with(lines: list[str], *parts: str) -> list[str]:
    return [line for line in lines if all(p in line for p in parts)]


# --------------------------------------------------------------------------- tests
@pytest.mark.parametrize("system", ["onestop", "docmgmt", "portal"])
def test_clean_batch_passes_without_warnings(fresh_db, system):
    batch_id = add_batch(fresh_db, system)
    result = quality.validate_batch(batch_id, fresh_db)
    assert result.success, result.critical_failures
    assert result.critical_failures == []
    assert result.warnings == []
    assert set(result.summary["tables"]) == set(quality.checkpoints()[system].tables)
    with warehouse.connect(fresh_db) as conn:
        gx_success, summary, status = conn.execute(
            "select gx_success, gx_summary, status from audit.load_batches where batch_id = %s",
            (batch_id,),
        ).fetchone()
    assert gx_success is True
    assert summary["batch_id"] == batch_id and summary["success"] is True
    assert status == "loaded"  # validation never publishes


def test_null_and_blank_keys_fail_critically_naming_table_column_expectation(fresh_db):
    def broken(i: int, row: dict) -> dict:
        if i in (3, 7):
            row["ma_ho_so"] = None
        if i == 11:
            row["ma_ho_so"] = "   "
        return row

    batch_id = add_batch(fresh_db, "onestop", edit={"hoso.jsonl": broken})
    result = quality.validate_batch(batch_id, fresh_db)
    assert not result.success
    nulls = lines_with(
        result.critical_failures, "raw.onestop_hoso.ma_ho_so", "expect_column_values_to_not_be_null"
    )
    assert nulls and "2 of 50 rows null" in nulls[0]
    blanks = lines_with(
        result.critical_failures, "raw.onestop_hoso.ma_ho_so", "expect_column_values_to_match_regex"
    )
    assert blanks and "1 of 48 values unexpected" in blanks[0] and "'   '" in blanks[0]
    with pytest.raises(QualityError, match="ma_ho_so"):
        result.raise_for_critical()
    with warehouse.connect(fresh_db) as conn:
        gx_success, summary = conn.execute(
            "select gx_success, gx_summary from audit.load_batches where batch_id = %s", (batch_id,)
        ).fetchone()
    assert gx_success is False
    assert summary["failed_critical"] == 2
    assert summary["tables"]["raw.onestop_hoso"]["failed_critical"] == 2


def test_row_count_not_matching_the_manifest_fails_critically(fresh_db):
    batch_id = add_batch(fresh_db, "docmgmt", audit_rows={"noinhan.csv": 52})
    result = quality.validate_batch(batch_id, fresh_db)
    assert not result.success
    (line,) = result.critical_failures
    assert line.startswith("raw.docmgmt_noinhan: expect_table_row_count_to_equal")
    assert "50 rows, expected 52" in line


def test_expected_rows_passed_in_override_the_audit(fresh_db):
    batch_id = add_batch(fresh_db, "onestop")
    assert quality.validate_batch(batch_id, fresh_db).success
    result = quality.validate_batch(batch_id, fresh_db, expected_rows={"onestop_quatrinh": 49})
    assert not result.success
    assert lines_with(result.critical_failures, "raw.onestop_quatrinh", "50 rows, expected 49")


def test_messy_and_unknown_codes_only_warn(fresh_db):
    def messy(i: int, row: dict) -> dict:
        if i % 4 == 0:  # 25% of the agency codes with spaces and lower case (defect 5)
            row["ma_co_quan"] = f"  {AGENCY.lower()} "
        if i % 5 == 0:
            row["kenh_thuc_hien"] = f" {row['kenh_thuc_hien']}"  # messy but known
        if i == 9:
            row["trang_thai_ho_so"] = "11"  # unknown status
        if i == 10:
            row["ngay_nop_ho_so"] = "2021-12-14"  # a date that does not parse
        return row

    batch_id = add_batch(fresh_db, "onestop", edit={"hoso.jsonl": messy})
    result = quality.validate_batch(batch_id, fresh_db)
    assert result.success, result.critical_failures
    assert lines_with(result.warnings, "raw.onestop_hoso.ma_co_quan", "trimmed and upper-case")
    assert lines_with(result.warnings, "raw.onestop_hoso.trang_thai_ho_so", "'11'")
    assert not lines_with(result.warnings, "kenh_thuc_hien")  # after trim it is a known code
    # agency code form after trim/upper is fine; one unparseable date in 50 is under 99%
    assert not lines_with(result.warnings, "ma_co_quan", "agency code form")
    assert lines_with(result.warnings, "raw.onestop_hoso.ngay_nop_ho_so", "1 of 50")


def test_volume_drift_against_previous_published_days_only_warns(fresh_db):
    # five published working days of ~400 rows (audit only: the reference reads rows_loaded)
    for back in (1, 5, 6, 7, 8):  # Mon 13, Thu 9, Wed 8, Tue 7, Mon 6 December
        add_batch(
            fresh_db,
            "portal",
            DAY - timedelta(days=back),
            rows=400,
            status="published",
            with_raw=False,
        )
    batch_id = add_batch(fresh_db, "portal", DAY, rows=50)
    result = quality.validate_batch(batch_id, fresh_db)
    assert result.success, result.critical_failures
    drift = lines_with(result.warnings, "expect_table_row_count_to_be_between")
    # the event tables dropped to 1/8 (band 0.2x-5x); the snapshots to 1/8 (band 0.8x-1.25x)
    assert {line.split(":")[0] for line in drift} == {
        "raw.portal_coquan",
        "raw.portal_thutuc",
        "raw.portal_thanhtoan",
        "raw.portal_danhgia",
    }
    assert "50 rows, expected 80-2000" in lines_with(drift, "raw.portal_thanhtoan")[0]
    volume = result.summary["tables"]["raw.portal_thanhtoan"]["volume"]
    assert volume["kind"] == "working day" and volume["reference_median"] == 400
    assert len(volume["reference_days"]) == 5


def test_a_sunday_is_compared_with_sundays_not_with_working_days(fresh_db):
    sunday = date(2021, 12, 19)
    for back in range(1, 6):  # Mon-Sat before it: busy
        add_batch(
            fresh_db,
            "onestop",
            sunday - timedelta(days=back),
            rows=400,
            status="published",
            with_raw=False,
        )
    for weeks in (1, 2):  # the Sundays before: quiet
        add_batch(
            fresh_db,
            "onestop",
            sunday - timedelta(weeks=weeks),
            rows=40,
            status="published",
            with_raw=False,
        )
    batch_id = add_batch(fresh_db, "onestop", sunday, rows=30)
    result = quality.validate_batch(batch_id, fresh_db)
    assert result.success and result.warnings == []
    assert result.summary["tables"]["raw.onestop_hoso"]["volume"]["kind"] == "Sunday or holiday"


def test_validate_batches_agrees_with_validate_batch(fresh_db):
    """The backfill path splits one validation per table into the per-batch verdicts."""

    def null_key(i: int, row: dict) -> dict | None:
        if i == 5:
            row["ma_ho_so"] = None
        return row

    def messy(i: int, row: dict) -> dict:
        if i % 3 == 0:
            row["ma_co_quan"] = f" {AGENCY.lower()}"
        return row

    def unknown_channel(i: int, row: dict) -> dict:
        if i == 0:
            row["kenh_thuc_hien"] = "7"
        return row

    days = [DAY + timedelta(days=n) for n in range(8)]
    edits = {
        1: {"hoso.jsonl": null_key},
        3: {"hoso.jsonl": messy},
        4: {"hoso.jsonl": unknown_channel, "quatrinh.csv": null_key},
    }
    ids = [
        add_batch(
            fresh_db,
            "onestop",
            d,
            rows=60 + n,
            edit=edits.get(n),
            audit_rows={"quatrinh.csv": 99} if n == 6 else None,
        )
        for n, d in enumerate(days)
    ]
    ids.append(add_batch(fresh_db, "docmgmt", DAY, rows=30))
    combined = quality.validate_batches(ids, fresh_db)
    assert set(combined) == set(ids)
    failed = {b for b, r in combined.items() if not r.success}
    assert failed == {ids[1], ids[4], ids[6]}
    for batch_id in ids:
        single = quality.validate_batch(batch_id, fresh_db)
        both = combined[batch_id]
        assert both.success == single.success, batch_id
        assert _checks(both.critical_failures) == _checks(single.critical_failures), batch_id
        assert _checks(both.warnings) == _checks(single.warnings), batch_id
    assert lines_with(combined[ids[4]].warnings, "kenh_thuc_hien", "1 of 64", "'7'")
    # the split pass is stored with the combined run, one result per open batch: Data Docs show
    # the null key of batch ids[1] under its own name
    hoso = warehouse.home() / "gx" / "validations" / "raw" / "onestop_hoso"
    stored = list(hoso.rglob(f"per-batch-split-{ids[1]}.json"))
    assert len(stored) == 1 and '"unexpected_count": 1' in stored[0].read_text()
    assert lines_with(
        combined[ids[6]].critical_failures, "raw.onestop_quatrinh", "66 rows, expected 99"
    )


def _checks(lines: list[str]) -> set[str]:
    """'table.column: expectation (label)' of each line, without the observed numbers."""
    return {line.rsplit(": ", 1)[0] for line in lines}


def test_validate_batches_handles_empty_tables_and_no_batches(fresh_db):
    assert quality.validate_batches([], fresh_db) == {}
    batch_id = add_batch(fresh_db, "portal", rows=0)
    result = quality.validate_batches([batch_id], fresh_db)[batch_id]
    assert result.success and result.warnings == []


def test_unknown_batch_is_an_error(fresh_db):
    with pytest.raises(Exception, match="no such load batch"):
        quality.validate_batch(987654, fresh_db)


def test_data_docs_show_the_validation_results(fresh_db):
    batch_id = add_batch(fresh_db, "onestop")
    quality.validate_batch(batch_id, fresh_db)
    index = quality.build_data_docs(fresh_db)
    assert index == quality.data_docs_index()
    assert index.name == "index.html" and index.is_file()
    assert index.parent == warehouse.home() / "gx" / "data_docs" / "local_site"
    html = index.read_text(encoding="utf-8")
    assert "raw.onestop_hoso" in html
    assert f"batch {batch_id}" in html
    pages = list((index.parent / "validations").rglob("*.html"))
    assert pages, "no validation result page rendered"


def test_the_warehouse_connection_string_is_not_written_to_disk(fresh_db):
    batch_id = add_batch(fresh_db, "onestop")
    quality.validate_batch(batch_id, fresh_db)
    quality.build_data_docs(fresh_db)
    host = psycopg.conninfo.conninfo_to_dict(warehouse.conninfo(fresh_db)).get("host")
    for path in (warehouse.home() / "gx").rglob("*"):
        if path.is_file() and path.suffix in (".json", ".yml", ".yaml", ".html"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "postgresql" not in text and (not host or host not in text), path


def test_a_missing_column_fails_critically_and_its_checks_say_why(fresh_db):
    batch_id = add_batch(fresh_db, "onestop")
    with warehouse.connect(fresh_db, autocommit=True) as conn:
        conn.execute("alter table raw.onestop_quatrinh rename column ma_trang_thai to trang_thai")
    result = quality.validate_batch(batch_id, fresh_db)
    assert not result.success
    (line,) = lines_with(result.critical_failures, "expect_table_columns_to_match_set")
    assert line.startswith("raw.onestop_quatrinh:") and "missing columns: ma_trang_thai" in line
    # the checks on the missing column could not run: warnings that say so, not silence
    assert lines_with(
        result.warnings, "raw.onestop_quatrinh.ma_trang_thai", "could not be evaluated"
    )
    backfill = quality.validate_batches([batch_id], fresh_db)[batch_id]
    assert not backfill.success
    assert _checks(backfill.critical_failures) == _checks(result.critical_failures)
    assert _checks(backfill.warnings) == _checks(result.warnings)


def test_data_docs_render_new_results_only_unless_asked(fresh_db):
    first = add_batch(fresh_db, "docmgmt")
    quality.validate_batch(first, fresh_db)
    index = quality.build_data_docs(fresh_db)
    rendered = index.parent / quality.RENDERED_FILE
    before = set(json.loads(rendered.read_text()))
    second = add_batch(fresh_db, "docmgmt", DAY + timedelta(days=1))
    quality.validate_batch(second, fresh_db)
    quality.build_data_docs(fresh_db)
    after = set(json.loads(rendered.read_text()))
    assert before < after and len(after - before) == 3  # one result per docmgmt table
    assert any(f"load-batch-{second}" in key for key in after - before)
    html = index.read_text(encoding="utf-8")
    assert f"batch {first}" in html and f"batch {second}" in html
    pages = {p.name for p in (index.parent / "validations").rglob("*.html")}
    assert {f"load-batch-{first}.html", f"load-batch-{second}.html"} <= pages
    assert quality.build_data_docs(fresh_db, full=True) == index


def test_fields_outside_the_contract_warn_as_schema_drift(fresh_db):
    batch_id = add_batch(fresh_db, "onestop")
    with warehouse.connect(fresh_db) as conn:
        conn.execute(
            'update raw.onestop_quatrinh set _extra = \'{"MaBuocXuLy": "B1"}\' '
            "where _batch_id = %s and _line <= 3",
            (batch_id,),
        )
    result = quality.validate_batch(batch_id, fresh_db)
    assert result.success
    (line,) = result.warnings
    assert line.startswith("raw.onestop_quatrinh._extra: expect_column_values_to_be_null")
    assert "3 of 50 rows not null" in line and "MaBuocXuLy" in line
