"""Vietnamese number and date formats for everything people read: 1.234.567; 99,21%; 14/12/2021."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

EXCEL_INT = "#,##0"  # Excel formats are locale-neutral: the workbook's locale shows 1.234.567
EXCEL_PCT = '0.00"%"'


def vn_int(value: int | float | Decimal | None) -> str:
    """1234567 -> '1.234.567' (dot as thousands separator)."""
    if value is None:
        return "-"
    return f"{int(value):,}".replace(",", ".")


def vn_decimal(value: float | Decimal | None, places: int = 2) -> str:
    """1234.5 -> '1.234,50' (dot for thousands, comma for decimals), rounded half up."""
    if value is None:
        return "-"
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_pct(value: float | Decimal | None, places: int = 2) -> str:
    """99.2104 -> '99,21%' (the value is already a percent, 0-100)."""
    return "-" if value is None else vn_decimal(value, places) + "%"


def vn_date(value: date | None) -> str:
    return "-" if value is None else value.strftime("%d/%m/%Y")


def vn_period(start: date, end: date) -> str:
    """'từ ngày 15/12/2020 đến ngày 14/12/2021'."""
    return f"từ ngày {vn_date(start)} đến ngày {vn_date(end)}"
