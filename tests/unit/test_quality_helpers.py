"""Pure helpers of the quality layer: GX's `mostly`, the backfill split, messages, volume."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from cchc_warehouse import quality

volume = quality.expectations_module("volume")


def test_importing_quality_does_not_import_great_expectations():
    # the CLI imports quality.py; GX costs seconds and is only imported when a suite runs
    code = "import sys, cchc_warehouse.quality; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("considered", "unexpected", "mostly", "ok"),
    [
        (0, 0, 1.0, True),  # nothing to judge: vacuously true, as in GX
        (100, 0, 1.0, True),
        (100, 1, 1.0, False),
        (100, 1, 0.99, True),
        (100, 2, 0.99, False),
        (1, 1, 0.5, False),
        (3, 1, 0.5, True),
    ],
)
def test_mostly_success_is_gx_rule(considered, unexpected, mostly, ok):
    assert quality.mostly_success(considered, unexpected, mostly) is ok


def test_split_settles_batches_that_pass_whatever_their_share():
    # 3 unexpected rows in all: a batch of 1000 passes at 99% even if all 3 are its own;
    # a batch of 100 might hold all 3 (97%) and needs its own count
    settled, pending = quality.split_map_result(0.99, 3, {1: 1000, 2: 100, 3: 0})
    assert settled == {1: True, 3: True} and pending == [2]
    # strict checks: any batch may hold the unexpected row
    settled, pending = quality.split_map_result(1.0, 1, {1: 10, 2: 20})
    assert settled == {} and pending == [1, 2]
    settled, pending = quality.split_map_result(1.0, 0, {1: 10, 2: 20})
    assert settled == {1: True, 2: True} and pending == []


def test_observed_texts_name_counts_share_allowance_and_samples():
    text = quality.map_observed(
        "expect_column_values_to_match_regex",
        unexpected=3,
        considered=1500,
        mostly=0.99,
        samples=["X", None, "Y", "X", "Z", "W"],
    )
    assert text == "3 of 1500 values unexpected (0.20%, allowed 1%), e.g. 'X', 'Y', 'Z'"
    long = quality.map_observed(
        "expect_column_values_to_be_null",
        unexpected=1,
        considered=1,
        mostly=1.0,
        samples=["x" * 99],
    )
    assert long.startswith("1 of 1 rows not null") and long.endswith("...") and len(long) < 120
    text = quality.map_observed(
        "expect_column_values_to_not_be_null", unexpected=2, considered=50, mostly=1.0
    )
    assert text == "2 of 50 rows null (4.00%, allowed 0%)"
    assert quality.row_count_observed(98, 100, 100, "m") == "98 rows, expected 100 (m)"
    assert quality.row_count_observed(5, 0, None, "v") == "5 rows, expected at least 0 (v)"
    assert quality.row_count_observed(5, 80, 2000, "v") == "5 rows, expected 80-2000 (v)"


def test_check_line_names_table_column_expectation_and_observed():
    check = quality.Check(
        "raw.onestop_hoso",
        "expect_column_values_to_not_be_null",
        "ma_ho_so",
        "critical",
        False,
        "2 of 50 rows null (4.00%, allowed 0%)",
        "key present",
    )
    assert check.line() == (
        "raw.onestop_hoso.ma_ho_so: expect_column_values_to_not_be_null (key present): "
        "2 of 50 rows null (4.00%, allowed 0%)"
    )
    table_level = quality.Check(
        "raw.x", "expect_table_row_count_to_equal", None, "critical", False, "1 rows"
    )
    assert table_level.line() == "raw.x: expect_table_row_count_to_equal: 1 rows"


def test_expected_rows_per_table_from_batch_files():
    files = [
        ("raw.onestop_hoso", "hoso.jsonl", 10),
        ("onestop_quatrinh", "quatrinh.csv", 7),  # unqualified table name
        (None, "hoso.jsonl", 5),  # no raw_table recorded: found by file name
        (None, "unknown.csv", 99),
    ]
    got = quality.expected_rows_for(files, {"hoso.jsonl": "raw.onestop_hoso"})
    assert got == {"raw.onestop_hoso": 15, "raw.onestop_quatrinh": 7}


def test_parameter_names_match_what_the_suites_declare():
    assert quality.parameter_names("raw.portal_coquan") == (
        "expected_rows__portal_coquan",
        "volume_min__portal_coquan",
        "volume_max__portal_coquan",
    )


@dataclass
class _Result:
    success: bool
    exception_info: dict = field(default_factory=dict)


@dataclass
class _Info:
    exception_message: str


def test_exception_message_reads_both_gx_shapes():
    assert quality.exception_message(_Result(True, {"raised_exception": True})) is None
    flat = _Result(False, {"raised_exception": True, "exception_message": "boom\ntrace"})
    assert quality.exception_message(flat) == "boom"
    per_metric = _Result(False, {"('column_values.nonnull', ...)": _Info('column "x" not found')})
    assert quality.exception_message(per_metric) == 'column "x" not found'
    assert quality.exception_message(_Result(False, {"raised_exception": False})) is None


def test_summary_lines_are_capped():
    lines = [f"l{i}" for i in range(quality.MAX_SUMMARY_LINES + 5)]
    capped = quality.cap_lines(lines)
    assert len(capped) == quality.MAX_SUMMARY_LINES + 1 and capped[-1] == "... and 5 more"


def test_verdict_fails_only_on_critical_checks():
    batch = quality.BatchInfo(7, "portal", date(2021, 12, 14), "loaded", {}, {}, {})
    warn = quality.Check("raw.t", "e", "c", "warning", False, "w")
    crit = quality.Check("raw.t", "e", "k", "critical", False, "c")
    fine = quality.Check("raw.t", "e", "k", "critical", True, "ok")
    ok = quality.verdict(batch, [warn, fine], {}, {})
    assert ok.success and ok.warnings == [warn.line()] and ok.critical_failures == []
    bad = quality.verdict(batch, [warn, crit], {}, {"mode": "batch"})
    assert not bad.success and bad.critical_failures == [crit.line()]
    assert bad.summary["export_date"] == "2021-12-14" and bad.summary["mode"] == "batch"
    with pytest.raises(quality.QualityError, match="raw.t.k"):
        bad.raise_for_critical()
    ok.raise_for_critical()


# --------------------------------------------------------------------------- volume calendar
@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (date(2021, 12, 14), volume.WORKING_DAY),  # Tuesday
        (date(2021, 12, 18), volume.SATURDAY),
        (date(2021, 12, 19), volume.REST_DAY),  # Sunday
        (date(2021, 9, 2), volume.REST_DAY),  # National Day, a Thursday
        (date(2022, 5, 2), volume.WORKING_DAY),  # Monday after Labour Day
        (date(2021, 2, 12), volume.REST_DAY),  # Tết 2021, a Friday
        (date(2021, 2, 9), volume.REST_DAY),  # the break starts before Tết
        (date(2021, 2, 18), volume.WORKING_DAY),  # and is over a week later
        (date(2025, 1, 27), volume.REST_DAY),  # Tết 2025 is 29 January
    ],
)
def test_day_kind(day, kind):
    assert volume.day_kind(day) == kind


def test_reference_is_the_median_of_recent_days_of_the_same_kind():
    day = date(2021, 12, 14)  # Tuesday
    history = [(day - timedelta(days=n), 100 * n) for n in range(1, 60)]
    median, days = volume.reference_rows(day, history)
    # the five latest working days: Mon 13, Fri 10, Thu 9, Wed 8, Tue 7 -> 100,400,500,600,700
    assert days == [date(2021, 12, d) for d in (13, 10, 9, 8, 7)]
    assert median == 500
    # nothing after the day, nothing older than the window, nothing of another kind
    assert volume.reference_rows(day, [(day, 5), (day + timedelta(days=1), 5)]) is None
    assert volume.reference_rows(day, [(day - timedelta(days=40), 5)]) is None
    assert volume.reference_rows(day, [(date(2021, 12, 12), 5)]) is None  # a Sunday


def test_bounds_are_loose_and_absent_for_tiny_references():
    assert volume.bounds(None, (0.2, 5.0)) == (0, None)
    assert volume.bounds(volume.MIN_REFERENCE_ROWS - 1, (0.2, 5.0)) == (0, None)
    assert volume.bounds(400, (0.2, 5.0)) == (80, 2000)
    assert volume.bounds(101, (0.8, 1.25)) == (80, 127)
