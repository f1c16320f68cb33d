"""The report's checks catch the seeds' errors (a rate that is not its ratio, an "of which" above
its total, a form row that does not balance) and mark incomplete periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from cchc_warehouse.reports.checks import (
    check_appendix_against_forms,
    check_completeness,
    check_documents,
    check_indicators,
    check_months,
    check_resolution,
    rate_matches,
)
from cchc_warehouse.reports.model import (
    DocumentRow,
    IndicatorRow,
    MonthPoint,
    Period,
    Provenance,
    ResolutionRow,
    SystemStatus,
)

YEAR = Period("nd09", "year", "2021", 2021, date(2020, 12, 15), date(2021, 12, 14))


def rate(code: str, value, num, den, parent: str | None = None) -> IndicatorRow:
    return IndicatorRow(
        code,
        code,
        "%",
        None if value is None else Decimal(str(value)),
        None if num is None else Decimal(num),
        None if den is None else Decimal(den),
        1,
        "rate",
        parent,
    )


def count(code: str, value: int) -> IndicatorRow:
    return IndicatorRow(code, code, "Hồ sơ", Decimal(value), None, None, 1, "count", None)


def of_which(code: str, value: int, parent: str, parent_value: int) -> IndicatorRow:
    return IndicatorRow(
        code,
        code,
        "Văn bản",
        Decimal(value),
        Decimal(value),
        Decimal(parent_value),
        1,
        "of_which",
        parent,
    )


def test_seed_000_rate_is_an_error_and_says_the_right_figure():
    # seed 000: "492.120/496.038 hồ sơ đạt tỷ lệ 99.75%" -- the ratio is 99,21%
    found = check_indicators([rate("III.7.3", "99.75", 492120, 496038)], "province")
    assert [f.severity for f in found] == ["error"]
    assert "99,75%" in found[0].message
    assert "492.120/496.038 = 99,21%" in found[0].message


def test_seed_002_rate_is_an_error():
    # seed 002: 845.938/846.314 printed as 89,39%; the ratio is 99,96%
    found = check_indicators([rate("III.7.3", "89.39", 845938, 846314)], "province")
    assert len(found) == 1 and "99,96%" in found[0].message


def test_an_exact_unrounded_rate_passes():
    exact = Decimal(100) * 492120 / Decimal(496038)
    assert check_indicators([rate("III.7.3", exact, 492120, 496038)], "province") == []
    # a rate rounded to two places is not the stored value: marts keep rates unrounded
    assert not rate_matches(Decimal("99.21"), 492120, 496038)


def test_rate_with_a_zero_denominator_must_be_empty():
    assert check_indicators([rate("I.7.2", None, 0, 0)], "province") == []
    found = check_indicators([rate("I.7.2", 100, 0, 0)], "province")
    assert found and found[0].check == "rate"


def test_rate_numerator_above_denominator():
    found = check_indicators([rate("III.7.3", 150, 3, 2)], "province")
    assert [f.check for f in found] == ["of_which"]


def test_rate_denominator_must_be_its_parent():
    rows = [count("I.7.1", 506), rate("I.7.2", Decimal(47500) / 505, 475, 505, "I.7.1")]
    found = check_indicators(rows, "province")
    assert len(found) == 1 and "I.7.1" in found[0].message


def test_of_which_above_its_total_is_an_error():
    rows = [count("VII.3.1", 17), of_which("VII.3.2", 18, "VII.3.1", 17)]
    found = check_indicators(rows, "province")
    assert any(f.check == "of_which" and "lớn hơn" in f.message for f in found)


def test_of_which_with_a_stale_denominator_is_an_error():
    rows = [count("VII.3.1", 17), of_which("VII.3.2", 2, "VII.3.1", 16)]
    found = check_indicators(rows, "province")
    assert len(found) == 1 and "mẫu số 16" in found[0].message


def test_sending_forms_partition_outgoing_documents():
    # seed 000: 251.411 = 169.950 + 28.509 + 52.952
    parts = [("VII.2.2", 169950), ("VII.2.3", 28509), ("VII.2.4", 52952)]
    rows = [count("VII.2.1", 251411)] + [of_which(c, v, "VII.2.1", 251411) for c, v in parts]
    assert check_indicators(rows, "province") == []
    rows[1] = of_which("VII.2.2", 169951, "VII.2.1", 251411)
    assert [f.severity for f in check_indicators(rows, "province")] == ["error"]
    rows[1] = of_which("VII.2.2", 169000, "VII.2.1", 251411)
    assert [f.severity for f in check_indicators(rows, "province")] == ["warning"]


def test_received_by_post_cannot_exceed_received():
    found = check_indicators([count("III.7.1", 10), count("VII.9.3", 11)], "province")
    assert found and found[0].check == "of_which"


def test_missing_indicator_is_an_error_for_the_province_only():
    row = replace(count("III.7.1", 0), in_mart=False)
    assert check_indicators([row], "province")[0].check == "indicator_missing"
    assert check_indicators([row], "agency") == []


def balanced_row(**over) -> ResolutionRow:
    row = ResolutionRow(
        "000.00.11.H60",
        carried_over=4,
        received_online=20,
        received_in_person_or_post=30,
        received_by_post=5,
        received=50,
        total_to_handle=54,
        resolved_early=30,
        resolved_on_time=13,
        resolved_late=1,
        resolved=44,
        withdrawn_or_stopped=2,
        pending_within_deadline=7,
        pending_overdue=1,
        pending=8,
        not_accepted=3,
        on_time_rate=Decimal(100) * 43 / Decimal(44),
    )
    return replace(row, **over)


def test_a_balanced_form_row_passes():
    assert check_resolution([balanced_row()], "form") == []


@pytest.mark.parametrize(
    "change",
    [
        {"received": 51},  # online + in person != received
        {"total_to_handle": 55},
        {"resolved": 45},
        {"pending": 9},
        {"withdrawn_or_stopped": 3},  # the identity carried + received = resolved + ... breaks
        {"received_by_post": 31},
        {"on_time_rate": Decimal("99.75")},
        {"on_time_rate": None},
    ],
)
def test_form_row_errors(change):
    found = check_resolution([balanced_row(**change)], "form")
    assert found and all(f.severity == "error" for f in found)
    assert "000.00.11.H60" in found[0].where


def test_nothing_resolved_means_no_rate():
    row = balanced_row(
        resolved_early=0,
        resolved_on_time=0,
        resolved_late=0,
        resolved=0,
        pending=52,
        pending_within_deadline=52,
        pending_overdue=0,
        on_time_rate=None,
    )
    assert check_resolution([row], "form") == []


def document_row(**over) -> DocumentRow:
    row = DocumentRow(
        "000.00.11.H60",
        outgoing=100,
        outgoing_electronic=70,
        outgoing_parallel=10,
        outgoing_paper=20,
        outgoing_signed=75,
        outgoing_via_axis=40,
        incoming=300,
        with_deadline=60,
        processed_on_time=50,
        processed_late=6,
        overdue_open=4,
        processing_on_time_rate=Decimal(100) * 50 / Decimal(56),
    )
    return replace(row, **over)


def test_document_rows():
    assert check_documents([document_row()], "docs") == []
    assert check_documents([document_row(outgoing_paper=21)], "docs")[0].check == "of_which"
    assert check_documents([document_row(outgoing_signed=101)], "docs")[0].check == "of_which"
    assert check_documents([document_row(overdue_open=5)], "docs")[0].check == "sum"
    found = check_documents([document_row(processing_on_time_rate=Decimal(50))], "docs")
    assert found[0].check == "rate" and "89,29%" in found[0].message


def test_appendix_must_agree_with_the_year_forms():
    rows = [
        count("III.7.1", 50),
        rate("III.7.3", Decimal(100) * 43 / Decimal(44), 43, 44),
        count("VII.9.3", 5),
        count("VII.2.1", 100),
        of_which("VII.2.2", 70, "VII.2.1", 100),
        of_which("VII.2.3", 10, "VII.2.1", 100),
        of_which("VII.2.4", 20, "VII.2.1", 100),
    ]
    assert check_appendix_against_forms(rows, [balanced_row()], [document_row()]) == []
    rows[0] = count("III.7.1", 49)
    found = check_appendix_against_forms(rows, [balanced_row()], [document_row()])
    assert [f.where for f in found] == ["Phụ lục, chỉ tiêu III.7.1"]
    rows[0] = count("III.7.1", 50)
    rows[1] = rate("III.7.3", 100, 44, 44)
    found = check_appendix_against_forms(rows, [balanced_row()], [document_row()])
    assert [f.where for f in found] == ["Phụ lục, chỉ tiêu III.7.3"]


def test_month_series_must_add_up():
    months = [
        MonthPoint("2021-01", date(2020, 12, 15), date(2021, 1, 14), {"a": 3, "b": 2, "t": 5}),
        MonthPoint("2021-02", date(2021, 1, 15), date(2021, 2, 14), {"a": 1, "b": 1, "t": 2}),
    ]
    assert check_months(months, 7, ("a", "b"), "t", "chart") == []
    assert check_months(months, 8, ("a", "b"), "t", "chart")[0].check == "chart"
    months[1].values["t"] = 3
    assert len(check_months(months, 8, ("a", "b"), "t", "chart")) == 1


def provenance(*systems: SystemStatus) -> Provenance:
    return Provenance(list(systems), None, None, datetime(2022, 1, 5, tzinfo=UTC))


def test_complete_period_has_no_warning():
    full = [SystemStatus(s, date(2020, 12, 15), date(2021, 12, 14)) for s in ("onestop", "portal")]
    assert check_completeness(provenance(*full), YEAR) == []


def test_missing_and_failed_days_make_the_period_incomplete():
    st = SystemStatus(
        "docmgmt",
        date(2020, 12, 15),
        date(2021, 12, 14),
        [(date(2021, 4, 13), "missing"), (date(2021, 6, 9), "failed")],
    )
    found = check_completeness(provenance(st), YEAR)
    assert [f.check for f in found] == ["completeness"]
    assert "13/04/2021 (không nhận được)" in found[0].message
    assert "09/06/2021 (lỗi khi nạp)" in found[0].message


def test_data_ending_before_the_period_end_is_incomplete():
    found = check_completeness(
        provenance(SystemStatus("onestop", date(2020, 12, 15), date(2021, 3, 14))), YEAR
    )
    assert len(found) == 1 and "14/03/2021" in found[0].message
    found = check_completeness(provenance(SystemStatus("portal", None, None)), YEAR)
    assert len(found) == 1 and found[0].check == "completeness"
