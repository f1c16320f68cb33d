"""raw.docmgmt_vanban (vanban.csv): one row per document version in one agency's register."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import (
    EVENT_VOLUME_BAND,
    VN_DATE,
    VN_DATETIME_MIN,
    VN_DATETIME_SEC,
    agency_codes,
    code_set,
    dates,
    flags,
    required,
    structure,
    volume,
)

TABLE = "raw.docmgmt_vanban"
SYSTEM = "docmgmt"
FILE = "vanban.csv"
COLUMNS: tuple[str, ...] = (
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
)
KEYS: tuple[str, ...] = ("ma_van_ban", "ma_co_quan", "huong")
VOLUME_BAND = EVENT_VOLUME_BAND
DOCUMENT_TYPES = ("CV", "QD", "KH", "BC", "TB", "TTR", "GM", "CT", "HD")


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        *required(("thoi_diem_gui", "hinh_thuc_gui", "ngay_cap_nhat")),
        code_set("huong", ("DI", "DEN"), "direction DI outgoing / DEN incoming"),
        code_set(
            "hinh_thuc_gui",
            ("DIEN_TU", "SONG_SONG", "GIAY"),
            "sent electronically / in parallel / on paper",
        ),
        code_set("loai_van_ban", DOCUMENT_TYPES, "document type", empty=True),
        *agency_codes("ma_co_quan", as_exported=True),
        *agency_codes("ma_co_quan_gui", empty=True),
        *flags(("ky_so", "lien_thong")),
        *dates(("ngay_van_ban",), VN_DATE, "date dd/MM/yyyy", empty=True),
        *dates(("han_xu_ly",), VN_DATE, "deadline dd/MM/yyyy or empty", empty=True),
        *dates(("thoi_diem_gui",), VN_DATETIME_MIN, "date-time dd/MM/yyyy HH:mm"),
        *dates(("ngay_cap_nhat",), VN_DATETIME_SEC, "date-time dd/MM/yyyy HH:mm:ss"),
    ]
