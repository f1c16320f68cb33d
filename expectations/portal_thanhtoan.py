"""raw.portal_thanhtoan (thanhtoan.csv): one row per exported online payment."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import (
    DOSSIER,
    EVENT_VOLUME_BAND,
    ISO_DATETIME,
    code_set,
    dates,
    matches,
    normalised,
    required,
    structure,
    volume,
)

TABLE = "raw.portal_thanhtoan"
SYSTEM = "portal"
FILE = "thanhtoan.csv"
COLUMNS: tuple[str, ...] = (
    "ma_giao_dich",
    "ma_ho_so",
    "so_tien",
    "kenh",
    "trang_thai",
    "thoi_diem",
)
KEYS: tuple[str, ...] = ("ma_giao_dich",)
VOLUME_BAND = EVENT_VOLUME_BAND


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        *required(("ma_ho_so", "so_tien", "trang_thai", "thoi_diem")),
        matches("ma_ho_so", normalised(DOSSIER), "MaHoSo form <agency>-<yymmdd>-<4 digits>"),
        matches("so_tien", r"^\s*[0-9]+\s*$", "amount is an integer number of VND"),
        code_set("kenh", ("PAYGOV", "VNPTPAY", "NGANHANG"), "payment channel", empty=True),
        code_set(
            "trang_thai",
            ("THANH_CONG", "THAT_BAI", "HOAN_TIEN"),
            "payment status succeeded / failed / refunded",
        ),
        *dates(("thoi_diem",), ISO_DATETIME, "date-time yyyy-MM-dd HH:mm:ss"),
    ]
