"""raw.portal_thutuc (thutuc.json): the procedure catalogue, a complete snapshot every day."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import (
    PROCEDURE,
    SNAPSHOT_VOLUME_BAND,
    clean_codes,
    code_set,
    flags,
    matches,
    normalised,
    required,
    structure,
    volume,
)

TABLE = "raw.portal_thutuc"
SYSTEM = "portal"
FILE = "thutuc.json"
COLUMNS: tuple[str, ...] = (
    "ma_tthc",
    "ten_tthc",
    "ma_linh_vuc",
    "ten_linh_vuc",
    "cap_thuc_hien",
    "co_quan_thuc_hien",
    "muc_do",
    "tich_hop_dvcqg",
    "co_phi_le_phi",
    "thanh_toan_truc_tuyen",
    "co_bcci",
    "thoi_han_ngay",
    "hieu_luc",
    "ngay_cong_bo",
)
KEYS: tuple[str, ...] = ("ma_tthc",)
VOLUME_BAND = SNAPSHOT_VOLUME_BAND
#: before the 2022 change 2/3/4, after it THONG_TIN/MOT_PHAN/TOAN_TRINH
LEVELS = ("2", "3", "4", "THONG_TIN", "MOT_PHAN", "TOAN_TRINH")
BOOLEANS = ("TRUE", "FALSE")


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        *required(("ten_tthc", "co_quan_thuc_hien", "muc_do", "hieu_luc")),
        matches("ma_tthc", normalised(PROCEDURE), "procedure code form d.dddddd"),
        clean_codes("ma_tthc", PROCEDURE),
        code_set("muc_do", LEVELS, "service level 2/3/4 or THONG_TIN/MOT_PHAN/TOAN_TRINH"),
        *flags(
            ("tich_hop_dvcqg", "co_phi_le_phi", "thanh_toan_truc_tuyen", "co_bcci", "hieu_luc"),
            BOOLEANS,
        ),
        matches(
            "co_quan_thuc_hien",
            r"^\s*\[.*\]\s*$",
            "CoQuanThucHien is a JSON list of agency codes",
        ),
        matches("thoi_han_ngay", r"^\s*[0-9]*(\.[0-9]+)?\s*$", "deadline in days is a number"),
    ]
