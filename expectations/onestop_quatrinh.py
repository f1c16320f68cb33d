"""raw.onestop_quatrinh (quatrinh.csv): one row per exported processing step."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import (
    DOSSIER,
    EVENT_VOLUME_BAND,
    ISO_DATETIME,
    agency_codes,
    dates,
    matches,
    normalised,
    required,
    structure,
    volume,
)

TABLE = "raw.onestop_quatrinh"
SYSTEM = "onestop"
FILE = "quatrinh.csv"
COLUMNS: tuple[str, ...] = (
    "ma_ho_so",
    "thu_tu",
    "ma_trang_thai",
    "thoi_diem",
    "ma_co_quan_xu_ly",
    "ghi_chu",
)
KEYS: tuple[str, ...] = ("ma_ho_so", "thu_tu")
VOLUME_BAND = EVENT_VOLUME_BAND


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        *required(("ma_trang_thai", "thoi_diem")),
        matches("ma_ho_so", normalised(DOSSIER), "MaHoSo form <agency>-<yymmdd>-<4 digits>"),
        matches("thu_tu", r"^\s*[0-9]+\s*$", "step number is an integer"),
        # the contract does not spell the step's status codes out; the dossier's 1-10 (optionally
        # zero-padded) is what the one-stop-shop uses, so anything else is worth a look
        matches(
            "ma_trang_thai",
            normalised("0?([1-9]|10)"),
            "step status is a dossier status 1-10",
            mostly=1.0,
        ),
        *dates(("thoi_diem",), ISO_DATETIME, "date-time yyyy-MM-dd HH:mm:ss"),
        *agency_codes("ma_co_quan_xu_ly", empty=True),
    ]
