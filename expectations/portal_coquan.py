"""raw.portal_coquan (coquan.json): the agency directory, a complete snapshot every day."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import (
    ISO_DATE,
    SNAPSHOT_VOLUME_BAND,
    agency_codes,
    code_set,
    dates,
    required,
    structure,
    volume,
)

TABLE = "raw.portal_coquan"
SYSTEM = "portal"
FILE = "coquan.json"
COLUMNS: tuple[str, ...] = (
    "ma_co_quan",
    "ten_co_quan",
    "cap",
    "ma_co_quan_cha",
    "ma_don_vi_hanh_chinh",
    "hieu_luc_tu",
    "hieu_luc_den",
    "ma_co_quan_ke_thua",
)
KEYS: tuple[str, ...] = ("ma_co_quan",)
VOLUME_BAND = SNAPSHOT_VOLUME_BAND


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        *required(("ten_co_quan", "cap")),
        code_set("cap", ("TINH", "SO", "HUYEN", "XA"), "level TINH / SO / HUYEN / XA"),
        *agency_codes("ma_co_quan", as_exported=True),
        *agency_codes("ma_co_quan_cha", empty=True),
        *agency_codes("ma_co_quan_ke_thua", empty=True),
        *dates(("hieu_luc_tu", "hieu_luc_den"), ISO_DATE, "date yyyy-MM-dd", empty=True),
    ]
