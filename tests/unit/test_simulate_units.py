"""Simulator building blocks: reporting periods, working days, Windows-1258, the world's shape."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from cchc_warehouse.simulate import DEFECT_CLASSES, parse_defects
from cchc_warehouse.simulate import names as vn
from cchc_warehouse.simulate.clock import WorkCalendar, fmt_iso_offset, lt_of
from cchc_warehouse.simulate.periods import nd09_year_of, periods_of_year, periods_overlapping
from cchc_warehouse.simulate.world import SCALES, World
from cchc_warehouse.simulate.writers import encode_cp1258


def _period(conv: str, y: int, label: str):
    return next(p for p in periods_of_year(conv, y) if p.label == label)


def test_nd09_periods_cut_on_the_14th():
    assert (_period("nd09", 2021, "2021-01").start, _period("nd09", 2021, "2021-01").end) == (
        date(2020, 12, 15),
        date(2021, 1, 14),
    )
    q4 = _period("nd09", 2021, "2021-Q4")
    assert (q4.start, q4.end) == (date(2021, 9, 15), date(2021, 12, 14))
    q1 = _period("nd09", 2021, "2021-Q1")
    assert (q1.start, q1.end) == (date(2020, 12, 15), date(2021, 3, 14))
    year = _period("nd09", 2021, "2021")
    assert (year.start, year.end) == (date(2020, 12, 15), date(2021, 12, 14))
    assert _period("nd09", 2021, "2021-H1").end == date(2021, 6, 14)
    assert _period("nd09", 2021, "2021-9M").end == date(2021, 9, 14)
    labels = {p.label for p in periods_of_year("nd09", 2021)}
    assert "2021-H2" not in labels  # nd09 has no second-half report
    assert len(periods_of_year("nd09", 2021)) == 12 + 4 + 1 + 1 + 1


def test_calendar_periods_are_plain_spans_with_both_halves():
    h2 = _period("calendar", 2024, "2024-H2")
    assert (h2.start, h2.end) == (date(2024, 7, 1), date(2024, 12, 31))
    feb = _period("calendar", 2024, "2024-02")
    assert feb.end == date(2024, 2, 29)
    assert len(periods_of_year("calendar", 2024)) == 12 + 4 + 2 + 1 + 1


def test_nd09_months_tile_the_year_without_gaps():
    months = sorted((p for p in periods_of_year("nd09", 2022) if p.period_type == "month"),
                    key=lambda p: p.start)  # fmt: skip
    for a, b in zip(months, months[1:], strict=False):
        assert (b.start - a.end).days == 1
    assert nd09_year_of(date(2021, 12, 15)) == 2022
    assert nd09_year_of(date(2021, 12, 14)) == 2021


def test_periods_overlapping_starts_on_or_before_as_of():
    ps = periods_overlapping(date(2021, 3, 1), date(2021, 3, 20), date(2021, 3, 20))
    assert ps and all(p.start <= date(2021, 3, 20) and p.end >= date(2021, 3, 1) for p in ps)
    assert {p.label for p in ps if p.period_type == "year"} == {"2021"}
    assert any(p.label == "2021-04" and p.convention == "nd09" for p in ps)  # 15/3 .. 14/4


def test_working_days_skip_weekends_and_tet():
    cal = WorkCalendar()
    fri = date(2021, 12, 10).toordinal()
    assert cal.add(fri, 1) == date(2021, 12, 13).toordinal()  # Friday + 1 = Monday
    assert cal.add(fri, 0) == fri
    # Tết 2021 (12 Feb): the break runs 10-16 Feb
    assert cal.add(date(2021, 2, 9).toordinal(), 1) == date(2021, 2, 17).toordinal()
    assert not cal.is_working(date(2021, 9, 2).toordinal())
    assert cal.next_working(date(2021, 12, 11).toordinal()) == date(2021, 12, 13).toordinal()


def test_status_times_in_utc_are_the_same_instant():
    lt = lt_of(date(2021, 12, 14), 3 * 3600)
    assert fmt_iso_offset(lt) == "2021-12-14T03:00:00+07:00"
    assert fmt_iso_offset(lt, utc=True) == "2021-12-13T20:00:00Z"


@pytest.mark.parametrize(
    "text",
    ["Ủy ban nhân dân xã Hồ Đắc Kiện", "Nguyễn Thị Ánh Tuyết", "Sở Lao động - Thương binh và Xã hội",
     "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "Đăng ký khai tử", "Lưu thông hàng hóa"],
)  # fmt: skip
def test_windows_1258_round_trip(text):
    data = encode_cp1258(text)
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    back = data.decode("cp1258")  # tone marks the code page lacks come back decomposed
    assert unicodedata.normalize("NFC", back) == text


def test_windows_1258_decomposes_tones_it_lacks():
    assert encode_cp1258("ấ") == "â".encode("cp1258") + "\u0301".encode("cp1258")
    assert encode_cp1258("Đ") == "Đ".encode("cp1258")


def test_windows_1258_encodes_every_name_the_simulator_writes():
    pools = [vn.SURNAMES, vn.GIVEN_F, vn.GIVEN_M, vn.MIDDLE_F, vn.MIDDLE_M, vn.SUBJECT_TOPIC,
             vn.OBJECTS, vn.QUALIFIERS, tuple(vn.STEP_NOTES.values()),
             tuple(vn.STATUS_NOTES.values()), vn.NEW_COMMUNES]  # fmt: skip
    for pool in pools:
        for text in pool:
            assert unicodedata.normalize("NFC", encode_cp1258(text).decode("cp1258")) == text


def test_vietnamese_text_is_nfc():
    for text in (*vn.SURNAMES, *vn.SUBJECT_TOPIC, *vn.OBJECTS, *vn.NEW_COMMUNES):
        assert unicodedata.is_normalized("NFC", text)


def test_parse_defects():
    assert parse_defects("all") == frozenset(DEFECT_CLASSES)
    assert parse_defects("none") == frozenset()
    assert parse_defects("duplicates, late") == {"duplicates", "late"}
    assert parse_defects(["encoding"]) == {"encoding"}
    with pytest.raises(ValueError, match="unknown defect class"):
        parse_defects("duplicates,typo")


def test_province_world_has_soc_trang_shape():
    cal = WorkCalendar()
    w = World(SCALES["province"], 1, date(2021, 1, 1), date(2021, 1, 31), None, cal)
    o = date(2021, 1, 15).toordinal()
    caps = [a.cap for a in w.in_force(o)]
    assert (caps.count("TINH"), caps.count("SO"), caps.count("HUYEN"), caps.count("XA")) == (
        2, 18, 11, 109
    )  # fmt: skip
    codes = [a.code for a in w.agencies]
    assert len(set(codes)) == len(codes)
    assert all(c.endswith(".H60") and len(c.split(".")) == 4 for c in codes)
    cat = [(p, s) for p, s in w.catalogue_on(o) if s.in_force]
    assert 1750 <= len(cat) <= 1900
    levels = [s.level for _, s in cat]
    assert 0.7 <= levels.count(4) / len(cat) <= 0.77 and 0.12 <= levels.count(3) / len(cat) <= 0.2
    proc_codes = [p.code for p, _ in cat]
    assert len(set(proc_codes)) == len(proc_codes)
    assert all(c[:2] in ("1.", "2.") and len(c) == 8 for c in proc_codes)
    names_ = [a.name_on(o) for a in w.in_force(o)]
    assert any("Sóc Trăng" in n for n in names_) and all(unicodedata.is_normalized("NFC", n)
                                                         for n in names_)  # fmt: skip


def test_world_is_the_same_for_the_same_seed():
    cal = WorkCalendar()
    a = World(SCALES["small"], 9, date(2021, 1, 1), date(2021, 3, 1), None, cal)
    b = World(SCALES["small"], 9, date(2021, 1, 1), date(2021, 3, 1), None, cal)
    o = date(2021, 2, 1).toordinal()
    assert a.thutuc_rows(o) == b.thutuc_rows(o)
    assert a.directory_on(o) == b.directory_on(o)
