"""raw.docmgmt_trangthai (trangthai.xml): one row per exchange status a recipient reported."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import EVENT_VOLUME_BAND, ISO_8601, agency_codes, code_set, dates, structure, volume

TABLE = "raw.docmgmt_trangthai"
SYSTEM = "docmgmt"
FILE = "trangthai.xml"
COLUMNS: tuple[str, ...] = (
    "ma_van_ban",
    "ma_co_quan_bao_cao",
    "ma_trang_thai",
    "thoi_diem",
    "ghi_chu",
)
KEYS: tuple[str, ...] = ("ma_van_ban", "ma_co_quan_bao_cao", "ma_trang_thai", "thoi_diem")
VOLUME_BAND = EVENT_VOLUME_BAND
STATUSES = ("01", "02", "03", "04", "05", "06")


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        code_set(
            "ma_trang_thai",
            STATUSES,
            "exchange status 01 arrived .. 06 completed",
        ),
        *agency_codes("ma_co_quan_bao_cao", as_exported=True),
        *dates(("thoi_diem",), ISO_8601, "ISO 8601 date-time with offset"),
    ]
