"""The suites in expectations/: in step with the loader's contract, severities, patterns."""

from __future__ import annotations

import re

import pytest
from cchc_warehouse import quality
from cchc_warehouse.sources import RAW_TABLES, SPECS

common = quality.expectations_module("common")

CRITICAL_TYPES = {
    "expect_table_columns_to_match_set",
    "expect_table_row_count_to_equal",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_match_regex",
}


@pytest.fixture(scope="module")
def suites():
    return quality.suites()


def test_one_suite_per_raw_table(suites):
    assert set(suites) == {t for tables in RAW_TABLES.values() for t in tables}
    for spec in SPECS.values():
        suite = suites[spec.table]
        assert (suite.system, suite.file) == (spec.system, spec.name)
        assert suite.columns == spec.columns, spec.table
        assert suite.keys == spec.key, spec.table


def test_checkpoints_cover_each_suite_once_by_system(suites):
    covered = [t for c in quality.checkpoints().values() for t in c.tables]
    assert sorted(covered) == sorted(suites)
    for system, checkpoint in quality.checkpoints().items():
        assert checkpoint.system == system
        assert all(suites[t].system == system for t in checkpoint.tables)


def test_every_expectation_has_a_severity_and_critical_means_structure(suites):
    for table, suite in suites.items():
        severities = {}
        for e in suite.expectations:
            severity = e.severity.value
            assert severity in common.SEVERITIES, (table, e.expectation_type)
            severities.setdefault(severity, []).append(e)
            column = getattr(e, "column", None)
            if column is not None:
                assert column in (*suite.columns, *common.LOAD_COLUMNS), (table, column)
            if severity == common.CRITICAL:
                assert e.expectation_type in CRITICAL_TYPES, (table, e.expectation_type)
                if column is not None:  # column-level criticals are about the keys only
                    assert column in suite.keys and getattr(e, "mostly", 1.0) == 1.0
        types = {(e.expectation_type, getattr(e, "column", None)) for e in severities["critical"]}
        assert ("expect_table_columns_to_match_set", None) in types
        assert ("expect_table_row_count_to_equal", None) in types
        for key in suite.keys:
            assert ("expect_column_values_to_not_be_null", key) in types
            assert ("expect_column_values_to_match_regex", key) in types
        assert any(
            e.expectation_type == "expect_table_row_count_to_be_between"
            for e in severities["warning"]
        ), table


def test_run_time_parameters_are_the_ones_quality_passes(suites):
    for table, suite in suites.items():
        used = set()
        for e in suite.expectations:
            for value in e.configuration.kwargs.values():
                if isinstance(value, dict) and "$PARAMETER" in value:
                    used.add(value["$PARAMETER"])
        assert used == set(quality.parameter_names(table)), table


def test_columns_check_lists_the_contract_and_load_columns(suites):
    suite = suites["raw.onestop_quatrinh"]
    (check,) = [
        e for e in suite.expectations if e.expectation_type == "expect_table_columns_to_match_set"
    ]
    assert set(check.column_set) == {*suite.columns, *common.LOAD_COLUMNS}


# --------------------------------------------------------------------------- patterns
# PostgreSQL AREs and Python's re agree on everything these patterns use ((?i) at the start,
# \s \S \d, classes, counted repetition), so Python checks what PostgreSQL will accept.
def matches(pattern: str, value: str) -> bool:
    return re.search(pattern, value) is not None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("000.00.16.H56-211214-0001", True),
        ("  000.00.16.h56-211214-0001 ", True),  # messy but valid after trim/upper
        ("000.00.16.H56-21121-0001", False),
        ("H56-211214-0001", False),
    ],
)
def test_dossier_id_form_after_trim_upper(value, ok):
    assert matches(common.normalised(common.DOSSIER), value) is ok


def test_agency_codes_normalised_and_as_exported():
    form = common.normalised(common.AGENCY)
    assert matches(form, "000.03.33.H60") and matches(form, " 000.03.33.h60")
    assert not matches(form, "000.3.33.H60") and not matches(form, "")
    assert matches(common.normalised(common.AGENCY, empty=True), "  ")
    clean = common.exact(common.AGENCY)
    assert matches(clean, "000.00.00.G01") and not matches(clean, " 000.00.00.G01")


def test_code_sets_compare_after_trim_upper():
    pattern = common.normalised(common.one_of(["DIEN_TU", "SONG_SONG", "GIAY"]))
    assert matches(pattern, "DIEN_TU") and matches(pattern, " dien_tu ")
    assert not matches(pattern, "DIEN TU") and not matches(pattern, "")
    statuses = common.normalised(common.one_of([str(i) for i in range(1, 11)]))
    assert matches(statuses, "10") and matches(statuses, " 7")
    assert not matches(statuses, "11") and not matches(statuses, "0")
    assert common.one_of(["a.b", "c|d"]) == r"a\.b|c\|d"


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        (common.YMDHMS, ["20211214080000", "00000000000000"], ["2021121408000", "20211314080000"]),
        (common.ISO_DATETIME, ["2021-12-14 08:30:00"], ["2021-12-14T08:30:00", "14/12/2021"]),
        (common.VN_DATE, ["14/12/2021"], ["2021-12-14", "32/12/2021"]),
        (common.VN_DATETIME_MIN, ["14/12/2021 09:15"], ["14/12/2021 09:15:00"]),
        (common.VN_DATETIME_SEC, ["14/12/2021 10:00:00"], ["14/12/2021 10:00"]),
        (
            common.ISO_8601,
            ["2021-12-14T08:30:00+07:00", "2021-12-14T01:30:00Z", "2021-12-14T08:30"],
            ["2021-12-14 08:30:00+07:00"],
        ),
        (common.EXCEL_DATETIME, ["2021-12-14 14:00:00", "2021-12-14"], ["44544.58"]),
    ],
)
def test_date_patterns(pattern, good, bad):
    for value in good:
        assert matches(common.exact(pattern), value), value
    for value in bad:
        assert not matches(common.exact(pattern), value), value
    assert matches(common.exact_or_empty(pattern), "")


def like(pattern: str, value: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace("_", "."), value) is not None


def test_date_shapes_accept_dates_null_spellings_and_empty():
    shapes = common.YMDHMS_SHAPES
    for value in ("20211214080000", "19991231235959", "00000000000000", ""):
        assert any(like(p, value) for p in shapes), value
    for value in ("2021-12-14", "2021121408000", "30211214080000"):
        assert not any(like(p, value) for p in shapes), value
