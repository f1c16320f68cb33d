"""Vietnamese formats: the seeds' errors (99.75% for 492.120/496.038) must not be repeatable."""

from datetime import date
from decimal import Decimal

from cchc_warehouse.formatting import vn_decimal, vn_int, vn_pct, vn_period


def test_thousands_use_dots():
    assert vn_int(492120) == "492.120"
    assert vn_int(1234567) == "1.234.567"
    assert vn_int(0) == "0"
    assert vn_int(None) == "-"


def test_percent_uses_a_decimal_comma_and_rounds_half_up():
    assert vn_pct(Decimal(492120) / Decimal(496038) * 100) == "99,21%"
    assert vn_pct(Decimal(845938) / Decimal(846314) * 100) == "99,96%"
    assert vn_pct(12.345) == "12,35%"
    assert vn_pct(None) == "-"
    assert vn_decimal(1234.5) == "1.234,50"


def test_period_text():
    assert (
        vn_period(date(2020, 12, 15), date(2021, 12, 14))
        == "từ ngày 15/12/2020 đến ngày 14/12/2021"
    )
