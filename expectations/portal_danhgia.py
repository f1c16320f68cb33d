"""raw.portal_danhgia (danhgia.xlsx, sheet DanhGia): one row per satisfaction rating."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import (
    DOSSIER,
    EVENT_VOLUME_BAND,
    EXCEL_DATETIME,
    code_set,
    dates,
    matches,
    normalised,
    structure,
    volume,
)

TABLE = "raw.portal_danhgia"
SYSTEM = "portal"
FILE = "danhgia.xlsx"
COLUMNS: tuple[str, ...] = ("ma_ho_so", "kenh_danh_gia", "muc_do_hai_long", "thoi_diem")
KEYS: tuple[str, ...] = ("ma_ho_so", "thoi_diem")
VOLUME_BAND = EVENT_VOLUME_BAND
#: NFC (the loader normalises text); compared after trim, ASCII letters case-insensitively
LEVELS = ("Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng")


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        matches("ma_ho_so", normalised(DOSSIER), "MaHoSo form <agency>-<yymmdd>-<4 digits>"),
        code_set("muc_do_hai_long", LEVELS, "satisfaction level (4 labels)"),
        *dates(("thoi_diem",), EXCEL_DATETIME, "Excel date-time"),
    ]
