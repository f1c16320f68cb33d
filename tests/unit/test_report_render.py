"""The report's layout and writers on hand-made data (no database): seed 001's sections, the form
lines, Vietnamese formats in HTML, numbers (not text) in the xlsx, charts in both."""

from __future__ import annotations

import csv
import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from cchc_warehouse.reports import output_paths
from cchc_warehouse.reports.charts import nice_step, rate_svg, stacked_svg
from cchc_warehouse.reports.checks import run_checks
from cchc_warehouse.reports.content import appendix_lines, build_content
from cchc_warehouse.reports.html import render_html
from cchc_warehouse.reports.layout import ITEMS, SECTIONS, item_of, period_name, section_of
from cchc_warehouse.reports.model import (
    Agency,
    DocumentRow,
    IndicatorRow,
    MonthPoint,
    Period,
    Provenance,
    ReportData,
    ResolutionRow,
    SystemStatus,
)
from cchc_warehouse.reports.queries import ReportError
from cchc_warehouse.reports.xlsx import INT_FORMAT, PCT_FORMAT, write_xlsx
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "dbt_project" / "seeds" / "ref_cchc_indicators.csv"
YEAR = Period("nd09", "year", "2021", 2021, date(2020, 12, 15), date(2021, 12, 14))


def ref_rows() -> list[dict[str, str]]:
    with REF.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_catalogue_indicator_has_its_seed_001_section_and_item():
    for r in ref_rows():
        assert section_of(r["indicator_code"]) in SECTIONS, r["indicator_code"]
        assert item_of(r["indicator_code"]) in ITEMS, r["indicator_code"]


def test_period_names():
    assert period_name("year", "2021") == "Năm 2021"
    assert period_name("quarter", "2021-Q4") == "Quý IV năm 2021"
    assert period_name("half_year", "2021-H1") == "6 tháng đầu năm 2021"
    assert period_name("half_year", "2021-H2") == "6 tháng cuối năm 2021"
    assert period_name("nine_months", "2021-9M") == "9 tháng năm 2021"
    assert period_name("month", "2021-03") == "Tháng 3 năm 2021"


def test_output_paths():
    p = output_paths(Path("/x/bc2021.xlsx"))
    assert p == {
        "xlsx": Path("/x/bc2021.xlsx"),
        "html": Path("/x/bc2021.html"),
        "pdf": Path("/x/bc2021.pdf"),
    }
    assert output_paths(Path("/x/bc2021"))["html"] == Path("/x/bc2021.html")
    assert output_paths(Path("/x/bc.v2.html"))["xlsx"] == Path("/x/bc.v2.xlsx")
    with pytest.raises(ReportError):
        output_paths(Path("/x/bc.docx"))


def indicators() -> list[IndicatorRow]:
    values = {
        "I.7.1": 506,
        "III.7.1": 50,
        "III.7.2": 48,
        "VII.2.1": 100,
        "VII.2.2": 70,
        "VII.2.3": 10,
        "VII.2.4": 20,
        "VII.3.1": 17,
        "VII.3.2": 2,
        "VII.3.3": 54,
        "VII.3.4": 7,
        "VII.3.5": 16,
        "VII.3.6": 40,
        "VII.3.7": 4,
        "VII.3.8": 48,
        "VII.3.9": 21,
        "VII.9.1": 61,
        "VII.9.2": 49,
        "VII.9.3": 5,
        "VII.9.4": 6,
    }
    rates = {"I.7.2": (475, 506), "III.7.3": (43, 44)}
    out = []
    for r in ref_rows():
        code, kind, parent = r["indicator_code"], r["indicator_kind"], r["parent_indicator_code"]
        if kind == "rate":
            num, den = rates[code]
            value = Decimal(100) * num / Decimal(den)
            out.append(
                IndicatorRow(
                    code,
                    r["indicator_name_vi"],
                    r["unit_vi"],
                    value,
                    Decimal(num),
                    Decimal(den),
                    int(r["sort_order"]),
                    kind,
                    parent or None,
                )
            )
        elif kind == "of_which":
            out.append(
                IndicatorRow(
                    code,
                    r["indicator_name_vi"],
                    r["unit_vi"],
                    Decimal(values[code]),
                    Decimal(values[code]),
                    Decimal(values[parent]),
                    int(r["sort_order"]),
                    kind,
                    parent,
                )
            )
        else:
            out.append(
                IndicatorRow(
                    code,
                    r["indicator_name_vi"],
                    r["unit_vi"],
                    Decimal(values[code]),
                    None,
                    None,
                    int(r["sort_order"]),
                    kind,
                    None,
                )
            )
    return out


def resolution() -> list[ResolutionRow]:
    a = ResolutionRow(
        "000.00.11.H60",
        4,
        20,
        30,
        5,
        50,
        54,
        30,
        13,
        1,
        44,
        2,
        7,
        1,
        8,
        3,
        Decimal(100) * 43 / Decimal(44),
    )
    b = ResolutionRow(
        "000.01.31.H60",
        0,
        0,
        1234567,
        0,
        1234567,
        1234567,
        1000000,
        200000,
        34567,
        1234567,
        0,
        0,
        0,
        0,
        0,
        Decimal(100) * 1200000 / Decimal(1234567),
    )
    c = ResolutionRow("000.00.99.H60", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, None)
    return [a, b, c]


def documents() -> list[DocumentRow]:
    return [
        DocumentRow(
            "000.00.11.H60",
            100,
            70,
            10,
            20,
            75,
            40,
            300,
            60,
            50,
            6,
            4,
            Decimal(100) * 50 / Decimal(56),
        )
    ]


def make_data(**over) -> ReportData:
    months = [
        MonthPoint(
            f"2021-{m:02d}",
            date(2021, m, 1),
            date(2021, m, 2),
            {
                "online": 0,
                "in_person": 0,
                "by_post": 0,
                "received": 0,
                "electronic": 0,
                "parallel": 0,
                "paper": 0,
                "outgoing": 0,
            },
        )
        for m in range(1, 13)
    ]
    months[0].values.update(
        online=20,
        in_person=25,
        by_post=5,
        received=50,
        electronic=70,
        parallel=10,
        paper=20,
        outgoing=100,
    )
    months[5].values.update(in_person=1234567, received=1234567)
    data = ReportData(
        year=2021,
        scope_code="94",
        scope_level="province",
        scope_name="Ủy ban nhân dân tỉnh Sóc Trăng",
        period=YEAR,
        annual=True,
        indicators=indicators(),
        indicator_period=YEAR,
        resolution=resolution(),
        documents=documents(),
        agencies={
            "000.00.11.H60": Agency(
                "000.00.11.H60", "Sở Thông tin và Truyền thông", "SO", "000.00.00.H60"
            ),
            "000.01.31.H60": Agency(
                "000.01.31.H60", "Ủy ban nhân dân Phường 1", "XA", "000.00.31.H60"
            ),
        },
        resolution_months=months,
        document_months=months,
        year_resolution=resolution(),
        year_documents=documents(),
        provenance=Provenance(
            [
                SystemStatus(s, date(2020, 12, 15), date(2021, 12, 14))
                for s in ("onestop", "docmgmt", "portal")
            ],
            datetime(2021, 12, 15, 1, 30, tzinfo=UTC),
            date(2021, 12, 14),
            datetime(2021, 12, 15, 2, 0, tzinfo=UTC),
        ),
    )
    for k, v in over.items():
        setattr(data, k, v)
    return data


def consistent_data(**over) -> ReportData:
    """Forms with only the department's row, so the appendix and the forms agree."""
    data = make_data(**over)
    data.resolution = data.year_resolution = [resolution()[0]]
    for m in data.resolution_months:
        m.values.update(online=0, in_person=0, by_post=0, received=0)
    data.resolution_months[0].values.update(online=20, in_person=25, by_post=5, received=50)
    return data


def test_consistent_hand_made_report_has_no_finding():
    data = consistent_data()
    assert run_checks(data) == []


def test_appendix_lines_follow_seed_001():
    lines = appendix_lines(indicators())
    sections = [(line.stt, line.text) for line in lines if line.kind == "section"]
    assert sections == [
        ("I", "Công tác chỉ đạo điều hành CCHC"),
        ("III", "Cải cách thủ tục hành chính"),
        ("VII", "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số"),
    ]
    items = [line.stt for line in lines if line.kind == "item"]
    assert items == ["7", "7", "2", "3", "9"]
    kinds = [(line.kind, line.code or line.text) for line in lines]
    i = kinds.index(("subheading", "Dịch vụ công trực tuyến mức độ 4"))
    assert kinds[i + 1] == ("indicator", "VII.3.3")
    codes = [line.code for line in lines if line.kind == "indicator"]
    assert codes == [
        r["indicator_code"] for r in sorted(ref_rows(), key=lambda r: int(r["sort_order"]))
    ]
    rate = next(line for line in lines if line.code == "III.7.3")
    assert rate.note.endswith("43/44") and rate.is_rate
    part = next(line for line in lines if line.code == "VII.2.2")
    assert part.text.startswith("- ") and part.note == "70/100 (70,00%) của VII.2.1"


def test_form_lines_total_groups_and_unknown_codes():
    content = build_content(make_data())
    lines = content.resolution_lines
    assert [(line.kind, line.stt) for line in lines] == [
        ("total", ""),
        ("group", "I"),
        ("agency", "1"),
        ("group", "II"),
        ("agency", "1"),
        ("group", "III"),
        ("agency", "1"),
    ]
    total = lines[0].row
    assert total.received == 50 + 1234567 and total.not_accepted == 4
    assert total.on_time_rate == Decimal(100) * (43 + 1200000) / Decimal(44 + 1234567)
    unknown = lines[-1]
    assert unknown.code == "000.00.99.H60" and not unknown.known


def test_html_is_vietnamese_nfc_and_self_contained():
    html = render_html(build_content(make_data()))
    assert html == unicodedata.normalize("NFC", html)
    assert '<html lang="vi">' in html and '<meta charset="utf-8">' in html
    assert "THỐNG KÊ SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH" in html
    assert "NĂM 2021 CỦA ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG" in html
    assert "từ ngày 15/12/2020 đến ngày 14/12/2021" in html
    # data as of the earliest last export day; the build time in Vietnam's time (UTC+7)
    assert "Dữ liệu đến ngày 14/12/2021; kho dữ liệu dựng lúc 08:30 ngày 15/12/2021" in html
    assert "1.234.567" in html  # thousands with dots
    assert "97,73%" in html  # 43/44 with a decimal comma
    assert "1234567" not in html.replace("data-", "")
    # no external resource: no script, no stylesheet link, no URL but the SVG namespace
    assert "<script" not in html and "<link" not in html and "@import" not in html
    urls = {u.split('"')[0] for u in html.split("http")[1:]}
    assert urls <= {"://www.w3.org/2000/svg"}
    assert "Liberation Serif" in html and "Times New Roman" in html
    assert html.count("<svg") == 3


def test_html_marks_errors_and_incomplete_data():
    data = make_data()  # the forms' 1.234.567 dossiers are not in the appendix: errors
    data.provenance.systems[1].problem_days = [(date(2021, 4, 13), "missing")]
    data.findings = run_checks(data)
    html = render_html(build_content(data))
    assert 'class="banner error"' in html and "LỖI KIỂM TRA SỐ LIỆU" in html
    assert 'class="banner warning"' in html and "SỐ LIỆU CHƯA ĐẦY ĐỦ" in html
    assert "13/04/2021 (không nhận được)" in html


def test_svg_charts_are_valid_xml_with_vietnamese_labels():
    content = build_content(make_data())
    for svg in (
        stacked_svg(content.received_chart),
        stacked_svg(content.documents_chart),
        rate_svg(content.on_time_chart),
    ):
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg")
    received = stacked_svg(content.received_chart)
    assert "Trực tuyến" in received and "1.234.567" in received and ">T6<" in received
    rates = rate_svg(content.on_time_chart)
    assert "Sở Thông tin và Truyền thông" in rates and "97,73%" in rates
    assert "000.00.99.H60" in rates and "không có hồ sơ đã giải quyết" in rates


def test_nice_step():
    assert nice_step(1_234_567) == 500_000
    assert nice_step(1450) == 500
    assert nice_step(7) == 2
    assert nice_step(0) == 1


def test_xlsx_keeps_numbers_with_number_formats(tmp_path):
    data = consistent_data()
    path = write_xlsx(build_content(data), tmp_path / "r.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == [
        "Phụ lục",
        "Giải quyết TTHC",
        "Văn bản",
        "Biểu đồ",
        "Số liệu biểu đồ",
        "Nguồn và kiểm tra",
    ]
    ws = wb["Phụ lục"]
    by_code = {
        row[5].value: row for row in ws.iter_rows() if row[5].value and "." in str(row[5].value)
    }
    assert set(by_code) == {r["indicator_code"] for r in ref_rows()}
    cell = by_code["III.7.1"][3]
    assert cell.value == 50 and cell.data_type == "n" and cell.number_format == INT_FORMAT
    cell = by_code["III.7.3"][3]
    assert cell.data_type == "n" and cell.number_format == PCT_FORMAT
    assert cell.value == pytest.approx(float(Decimal(100) * 43 / Decimal(44)))
    form = wb["Giải quyết TTHC"]
    rows = {r[2].value: r for r in form.iter_rows() if r[2].value == "000.00.11.H60"}
    row = rows["000.00.11.H60"]
    assert [c.value for c in row[3:8]] == [54, 4, 50, 20, 30]
    assert all(c.data_type == "n" and c.number_format == INT_FORMAT for c in row[3:18])
    assert row[18].number_format == PCT_FORMAT
    assert len(wb["Biểu đồ"]._charts) == 3
    prov = wb["Nguồn và kiểm tra"]
    dates = [c for r in prov.iter_rows() for c in r if c.number_format == "dd/mm/yyyy" and c.value]
    assert dates and all(c.is_date for c in dates)


def test_period_report_has_no_appendix_sheet(tmp_path):
    q4 = Period("nd09", "quarter", "2021-Q4", 2021, date(2021, 9, 15), date(2021, 12, 14))
    data = consistent_data(annual=False, indicators=[], indicator_period=None, period=q4)
    path = write_xlsx(build_content(data), tmp_path / "q4.xlsx")
    assert "Phụ lục" not in load_workbook(path).sheetnames
    html = render_html(build_content(data))
    assert "Quý IV năm 2021 (từ ngày 15/09/2021 đến ngày 14/12/2021)" in html
    assert 'id="phu-luc"' not in html
