"""The report as an Excel workbook: the appendix, the period form, the document table, native
charts, and a sheet of provenance and checks. Figures stay numbers (with number formats), so
people can compute with them; dates are dates."""

from __future__ import annotations

import math
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cchc_warehouse.formatting import EXCEL_PCT
from cchc_warehouse.reports.charts import RateChart, StackedChart
from cchc_warehouse.reports.content import (
    CHECKS_DONE,
    ReportContent,
    local,
    provenance_rows,
)
from cchc_warehouse.reports.forms import FormLine
from cchc_warehouse.reports.layout import (
    APPENDIX_FOOTNOTE,
    APPENDIX_SUBTITLE,
    APPENDIX_TITLE,
    CONVENTION_NOTES,
    DOCUMENT_COLUMNS,
    DOCUMENTS_TITLE,
    RESOLUTION_COLUMNS,
    RESOLUTION_TITLE,
    Column,
)

# Thousands separators: an Excel number format is written in the file with "," as the grouping
# placeholder and "." as the decimal point whatever the reader's locale; Excel (and LibreOffice)
# then show the reader's own separators — 1.234.567 and 99,21% under Vietnamese regional
# settings. Writing "#.##0" instead would not group with dots: it would be read as a decimal
# format. So the cells keep numbers and this format, never text made to look like numbers.
INT_FORMAT = "#,##0"
# Rates are stored as the marts store them, percents 0-100 (99.2104...), not fractions: the cell
# value is the figure people see and compare with the marts; the "%" is a literal.
PCT_FORMAT = EXCEL_PCT
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

FONT_NAME = "Times New Roman"
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(name=FONT_NAME, size=12, bold=True)
NORMAL = Font(name=FONT_NAME, size=12)
ITALIC = Font(name=FONT_NAME, size=12, italic=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E2E8F0")
TOTAL_FILL = PatternFill("solid", fgColor="F7FAFC")
ERROR_FILL = PatternFill("solid", fgColor="FED7D7")
WARNING_FILL = PatternFill("solid", fgColor="FEEBC8")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)

SHEET_APPENDIX = "Phụ lục"
SHEET_RESOLUTION = "Giải quyết TTHC"
SHEET_DOCUMENTS = "Văn bản"
SHEET_CHARTS = "Biểu đồ"
SHEET_CHART_DATA = "Số liệu biểu đồ"
SHEET_PROVENANCE = "Nguồn và kiểm tra"


def write_xlsx(content: ReportContent, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    if content.data.annual:
        _appendix(wb.create_sheet(SHEET_APPENDIX), content)
    _form(
        wb.create_sheet(SHEET_RESOLUTION),
        content,
        RESOLUTION_TITLE,
        "Đơn vị tính: hồ sơ",
        RESOLUTION_COLUMNS,
        content.resolution_lines,
    )
    _form(
        wb.create_sheet(SHEET_DOCUMENTS),
        content,
        DOCUMENTS_TITLE,
        "Đơn vị tính: văn bản",
        DOCUMENT_COLUMNS,
        content.document_lines,
    )
    _charts(wb.create_sheet(SHEET_CHARTS), wb.create_sheet(SHEET_CHART_DATA), content)
    _provenance(wb.create_sheet(SHEET_PROVENANCE), content)
    wb.properties.title = content.file_title
    wb.properties.creator = "cchc report (CCHC warehouse)"
    wb.properties.language = "vi-VN"
    wb.save(path)
    return path


LINE_HEIGHT = 16  # points per line of 12 pt text


def _widths(ws: Worksheet, widths: dict[str, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[col].width = w


def _lines(text: object, width: float) -> int:
    """How many lines a wrapped cell needs (Excel does not re-measure rows openpyxl writes)."""
    if text is None:
        return 1
    chars = max(1.0, width * 1.05)  # Times New Roman 12 pt: about one character per width unit
    return sum(max(1, math.ceil(len(part) / chars)) for part in str(text).split("\n"))


def _fit(ws: Worksheet, row: int, first: int = 1, last: int | None = None) -> None:
    """Set a row's height from its longest wrapped cell."""
    last = last or ws.max_column
    need = 1
    for col in range(first, last + 1):
        width = ws.column_dimensions[get_column_letter(col)].width or 10
        need = max(need, _lines(ws.cell(row=row, column=col).value, width))
    ws.row_dimensions[row].height = LINE_HEIGHT * need + 4


def _merged_width(ws: Worksheet, width: int) -> float:
    return sum(ws.column_dimensions[get_column_letter(c)].width or 10 for c in range(1, width + 1))


def _merged_title(ws: Worksheet, row: int, text: str, width: int, font: Font = TITLE) -> None:
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = font
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _banners(ws: Worksheet, row: int, content: ReportContent, width: int) -> int:
    """Errors and incomplete data, at the top of every sheet, in colour: returns the next row."""
    for banner in content.banners:
        text = banner.title + "\n" + "\n".join("• " + line for line in banner.lines)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = ws.cell(row=row, column=1, value=text)
        cell.font = Font(name=FONT_NAME, size=12, bold=True, color="9B2C2C")
        cell.fill = ERROR_FILL if banner.severity == "error" else WARNING_FILL
        cell.alignment = WRAP
        ws.row_dimensions[row].height = min(
            409, LINE_HEIGHT * _lines(text, _merged_width(ws, width)) + 6
        )
        row += 1
    return row


def _style(cell, font=NORMAL, *, border=True, align=None, fill=None, fmt=None) -> None:
    cell.font = font
    if border:
        cell.border = BORDER
    if align is not None:
        cell.alignment = align
    if fill is not None:
        cell.fill = fill
    if fmt is not None:
        cell.number_format = fmt


def _appendix(ws: Worksheet, content: ReportContent) -> None:
    width = 6
    _widths(ws, dict(zip("ABCDEF", (7, 62, 12, 14, 44, 11), strict=True)))
    _merged_title(ws, 1, APPENDIX_TITLE, width)
    _merged_title(ws, 2, APPENDIX_SUBTITLE, width)
    _merged_title(ws, 3, content.appendix_heading, width)
    _merged_title(ws, 4, content.appendix_subheading, width, ITALIC)
    _merged_title(ws, 5, content.as_of_text, width, ITALIC)
    row = _banners(ws, 6, content, width)
    # two header rows, as seed 001: "Kết quả thống kê" over "Đơn vị tính" and "Số liệu"
    top = row
    for col, text in ((1, "STT"), (2, "Chỉ tiêu thống kê"), (5, "Ghi chú"), (6, "Mã chỉ tiêu")):
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        ws.cell(row=top, column=col, value=text)
    ws.merge_cells(start_row=top, start_column=3, end_row=top, end_column=4)
    ws.cell(row=top, column=3, value="Kết quả thống kê")
    ws.cell(row=top + 1, column=3, value="Đơn vị tính")
    ws.cell(row=top + 1, column=4, value="Số liệu")
    for r in (top, top + 1):
        for c in range(1, width + 1):
            _style(ws.cell(row=r, column=c), BOLD, align=CENTER, fill=HEADER_FILL)
    row = top + 2
    ws.freeze_panes = ws.cell(row=row, column=1)
    for line in content.appendix:
        cells = [ws.cell(row=row, column=c) for c in range(1, width + 1)]
        if line.kind in ("section", "item", "subheading"):
            cells[0].value = line.stt
            cells[1].value = line.text
            font = BOLD if line.kind != "subheading" else ITALIC
            for c in cells:
                _style(c, font, align=WRAP)
            cells[0].alignment = CENTER
        else:
            cells[1].value = line.text
            cells[2].value = line.unit
            if line.value is not None:
                cells[3].value = float(line.value) if line.is_rate else int(line.value)
            cells[4].value = line.note
            cells[5].value = line.code
            for c in cells:
                _style(c, NORMAL, align=WRAP)
            cells[2].alignment = CENTER
            cells[3].number_format = PCT_FORMAT if line.is_rate else INT_FORMAT
            cells[3].alignment = Alignment(horizontal="right", vertical="top")
        _fit(ws, row, 1, width)
        row += 1
    ws.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=width)
    note = ws.cell(row=row + 1, column=1, value=APPENDIX_FOOTNOTE)
    note.font = ITALIC
    note.alignment = WRAP
    ws.row_dimensions[row + 1].height = (
        LINE_HEIGHT * _lines(APPENDIX_FOOTNOTE, _merged_width(ws, width)) + 4
    )
    _page(ws, landscape=False)


def _form(
    ws: Worksheet,
    content: ReportContent,
    title: str,
    unit: str,
    columns: tuple[Column, ...],
    lines: list[FormLine],
) -> None:
    width = 3 + len(columns)
    data = content.data
    _widths(ws, {"A": 6, "B": 40, "C": 16})
    _widths(ws, {get_column_letter(k): 12 for k in range(4, width + 1)})
    _merged_title(ws, 1, title, width)
    _merged_title(ws, 2, f"Phạm vi: {content.scope_title}", width, BOLD)
    _merged_title(
        ws, 3, f"{content.period_text} — {CONVENTION_NOTES[data.period.convention]}", width, ITALIC
    )
    _merged_title(ws, 4, content.as_of_text, width, ITALIC)
    ws.cell(row=5, column=width, value=unit).font = ITALIC
    ws.cell(row=5, column=width).alignment = Alignment(horizontal="right")
    top = _banners(ws, 6, content, width)
    # header: group row, column row, column numbers (1), (2), ... as official forms print them
    for col, text in ((1, "STT"), (2, "Cơ quan, đơn vị"), (3, "Mã định danh")):
        ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        ws.cell(row=top, column=col, value=text)
    col = 4
    while col < 4 + len(columns):
        c = columns[col - 4]
        if c.group is None:
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            ws.cell(row=top, column=col, value=c.header)
            col += 1
            continue
        span = 1
        while col - 4 + span < len(columns) and columns[col - 4 + span].group == c.group:
            span += 1
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
        ws.cell(row=top, column=col, value=c.group)
        for k in range(span):
            ws.cell(row=top + 1, column=col + k, value=columns[col - 4 + k].header)
        col += span
    for k in range(width):
        ws.cell(row=top + 2, column=k + 1, value=f"({k + 1})")
    for r in (top, top + 1, top + 2):
        for c in range(1, width + 1):
            _style(
                ws.cell(row=r, column=c),
                BOLD if r < top + 2 else ITALIC,
                align=CENTER,
                fill=HEADER_FILL,
            )
    _fit(ws, top + 1)
    row = top + 3
    ws.freeze_panes = ws.cell(row=row, column=4)
    for line in lines:
        font = BOLD if line.kind in ("total", "group") else NORMAL
        fill = TOTAL_FILL if line.kind != "agency" else None
        values = [line.stt, line.name, line.code or None]
        for k, v in enumerate(values, start=1):
            _style(ws.cell(row=row, column=k, value=v), font, align=WRAP, fill=fill)
        ws.cell(row=row, column=1).alignment = CENTER
        for k, column in enumerate(columns, start=4):
            v = getattr(line.row, column.key)
            cell = ws.cell(
                row=row,
                column=k,
                value=None if v is None else (float(v) if column.is_rate else int(v)),
            )
            _style(cell, font, fill=fill, fmt=PCT_FORMAT if column.is_rate else INT_FORMAT)
        _fit(ws, row, 1, 3)
        row += 1
    _page(ws, landscape=True)


def _charts(ws: Worksheet, data_ws: Worksheet, content: ReportContent) -> None:
    _widths(data_ws, {"A": 40, "B": 16, "C": 16, "D": 16, "E": 16})
    ws.cell(row=1, column=1, value="BIỂU ĐỒ").font = TITLE
    ws.cell(row=2, column=1, value=f"{content.scope_title} — {content.period_text}").font = ITALIC
    row = _banners(ws, 3, content, 12)
    anchor = row + 1
    next_row = 1
    next_row, chart = _rate_chart(data_ws, next_row, content.on_time_chart)
    ws.add_chart(chart, f"A{anchor}")
    anchor += max(20, int(chart.height * 2) + 2)
    for spec in (content.received_chart, content.documents_chart):
        next_row, chart = _stacked_chart(data_ws, next_row, spec)
        ws.add_chart(chart, f"A{anchor}")
        anchor += 22
    _page(ws, landscape=True)
    _page(data_ws, landscape=False)


def _rate_chart(ws: Worksheet, row: int, spec: RateChart) -> tuple[int, BarChart]:
    ws.cell(row=row, column=1, value=spec.title).font = BOLD
    ws.cell(row=row + 1, column=1, value="Cơ quan, đơn vị").font = BOLD
    ws.cell(row=row + 1, column=2, value="Tỷ lệ đúng hạn (%)").font = BOLD
    first = row + 2
    for i, (name, value) in enumerate(zip(spec.categories, spec.values, strict=True)):
        ws.cell(row=first + i, column=1, value=name)
        ws.cell(row=first + i, column=2, value=value).number_format = PCT_FORMAT
    last = first + max(0, len(spec.categories) - 1)
    chart = BarChart()
    chart.type = "bar"
    chart.title = spec.title
    chart.style = 10
    chart.legend = None
    chart.add_data(Reference(ws, min_col=2, min_row=row + 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 100
    chart.y_axis.majorUnit = 20
    chart.y_axis.number_format = '0"%"'
    chart.y_axis.title = "Tỷ lệ giải quyết đúng hạn (%)"
    chart.x_axis.scaling.orientation = "maxMin"  # first agency on top, as in the table
    chart.y_axis.crosses = "max"  # ... and the percent axis stays at the bottom
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    # the value only (LibreOffice otherwise adds the category and series names)
    chart.dataLabels = DataLabelList(
        showVal=True, showCatName=False, showSerName=False, showLegendKey=False, showPercent=False
    )
    chart.dataLabels.numFmt = PCT_FORMAT
    chart.width = 24
    chart.height = max(8, 0.6 * len(spec.categories) + 3)
    return last + 3, chart


def _stacked_chart(ws: Worksheet, row: int, spec: StackedChart) -> tuple[int, BarChart]:
    ws.cell(row=row, column=1, value=spec.title).font = BOLD
    ws.cell(row=row + 1, column=1, value="Tháng").font = BOLD
    for k, s in enumerate(spec.series, start=2):
        ws.cell(row=row + 1, column=k, value=s.name).font = BOLD
    first = row + 2
    for i, category in enumerate(spec.categories):
        ws.cell(row=first + i, column=1, value=category)
        for k, s in enumerate(spec.series, start=2):
            ws.cell(row=first + i, column=k, value=s.values[i]).number_format = INT_FORMAT
    last = first + max(0, len(spec.categories) - 1)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = spec.title
    chart.style = 10
    chart.add_data(
        Reference(ws, min_col=2, max_col=1 + len(spec.series), min_row=row + 1, max_row=last),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    for series, s in zip(chart.series, spec.series, strict=True):
        series.graphicalProperties.solidFill = s.color
        series.graphicalProperties.line.solidFill = s.color
    chart.y_axis.title = spec.y_title
    chart.y_axis.number_format = INT_FORMAT
    chart.y_axis.scaling.min = 0  # columns start at zero (spreadsheets auto-scale otherwise)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.width = 24
    chart.height = 10
    return last + 3, chart


def _provenance(ws: Worksheet, content: ReportContent) -> None:
    data = content.data
    prov = data.provenance
    _widths(ws, dict(zip("ABCDEFG", (30, 60, 16, 16, 16, 16, 50), strict=True)))
    ws.cell(row=1, column=1, value="NGUỒN SỐ LIỆU VÀ KIỂM TRA").font = TITLE
    row = _banners(ws, 2, content, 7)
    facts: list[tuple[str, object, str | None]] = [
        ("Phạm vi", f"{content.scope_title} (mã {data.scope_code})", None),
        ("Kỳ báo cáo", content.period_text, None),
        ("Từ ngày", data.period.start, DATE_FORMAT),
        ("Đến ngày", data.period.end, DATE_FORMAT),
        ("Cách tính kỳ", CONVENTION_NOTES[data.period.convention], None),
        (
            "Số liệu lấy từ",
            "marts.rpt_cchc_indicators, marts.rpt_dossier_resolution, marts.rpt_document_exchange "
            "(kho dữ liệu CCHC)",
            None,
        ),
        ("Kho dữ liệu (marts) dựng lúc", local(prov.built_at), DATETIME_FORMAT),
        ("Marts tính đến ngày dữ liệu", prov.marts_as_of, DATE_FORMAT),
        ("Báo cáo lập lúc", local(prov.generated_at), DATETIME_FORMAT),
        (
            "Tình trạng số liệu",
            "CÓ LỖI" if data.errors else ("CHƯA ĐẦY ĐỦ" if data.incomplete else "Đầy đủ, khớp"),
            None,
        ),
    ]
    for label, value, fmt in facts:
        ws.cell(row=row, column=1, value=label).font = BOLD
        cell = ws.cell(row=row, column=2, value=value if value is not None else "không xác định")
        cell.font = NORMAL
        if fmt and value is not None:
            cell.number_format = fmt
            cell.alignment = Alignment(horizontal="left")
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="Dữ liệu nạp theo hệ thống nguồn").font = BOLD
    row += 1
    headers = (
        "Hệ thống",
        "Mã",
        "Dữ liệu từ ngày",
        "Dữ liệu đến ngày",
        "Số dòng đã nạp trong kỳ",
        "Số dòng bị cách ly trong kỳ",
        "Ngày thiếu, lỗi trong kỳ",
    )
    for k, h in enumerate(headers, start=1):
        _style(ws.cell(row=row, column=k, value=h), BOLD, align=CENTER, fill=HEADER_FILL)
    row += 1
    for st, texts in zip(prov.systems, provenance_rows(data), strict=True):
        values = (
            texts[0],
            st.system,
            st.first_day,
            st.last_day,
            st.rows_loaded,
            st.rows_quarantined,
            texts[6],
        )
        for k, v in enumerate(values, start=1):
            cell = ws.cell(row=row, column=k, value=v)
            _style(cell, NORMAL, align=WRAP)
            if k in (3, 4):
                cell.number_format = DATE_FORMAT
            if k in (5, 6):
                cell.number_format = INT_FORMAT
        _fit(ws, row)
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="Các kiểm tra đã thực hiện").font = BOLD
    row += 1
    for text in CHECKS_DONE:
        ws.cell(row=row, column=1, value="✓").font = NORMAL
        ws.cell(row=row, column=2, value=text).font = NORMAL
        row += 1
    row += 1
    ws.cell(row=row, column=1, value="Kết quả kiểm tra").font = BOLD
    row += 1
    if not data.findings:
        ws.cell(row=row, column=1, value="Không có lỗi, không có cảnh báo.").font = NORMAL
    else:
        for k, h in enumerate(("Mức độ", "Kiểm tra", "Vị trí", "Nội dung"), start=1):
            _style(ws.cell(row=row, column=k, value=h), BOLD, align=CENTER, fill=HEADER_FILL)
        row += 1
        for f in data.findings:
            level = "LỖI" if f.severity == "error" else "Cảnh báo"
            for k, v in enumerate((level, f.check, f.where, f.message), start=1):
                cell = ws.cell(row=row, column=k, value=v)
                _style(
                    cell,
                    NORMAL,
                    align=WRAP,
                    fill=ERROR_FILL if f.severity == "error" else WARNING_FILL,
                )
            _fit(ws, row)
            row += 1
    _page(ws, landscape=True)


def _page(ws: Worksheet, *, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
