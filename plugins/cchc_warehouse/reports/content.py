"""What a report says, independent of the file format: the appendix lines in seed 001's order,
the titles, the banners for errors and incomplete data, and the provenance lines. The xlsx and
HTML writers only lay these out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from cchc_warehouse.formatting import vn_date, vn_int, vn_pct
from cchc_warehouse.reports.charts import (
    RateChart,
    StackedChart,
    documents_chart,
    rate_chart,
    received_chart,
)
from cchc_warehouse.reports.forms import FormLine, form_lines
from cchc_warehouse.reports.layout import (
    ITEMS,
    RATE_NOTES,
    SECTION_ORDER,
    SECTIONS,
    SUBHEADINGS,
    SYSTEM_NAMES,
    TOTAL_LABEL,
    item_number,
    item_of,
    nfc,
    period_heading,
    section_of,
)
from cchc_warehouse.reports.model import (
    IndicatorRow,
    ReportData,
    sum_documents,
    sum_resolution,
)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

CHECKS_DONE = (
    "Mọi tỷ lệ được tính lại từ tử số và mẫu số (sai lệch là lỗi).",
    "Mọi chỉ tiêu “trong đó” không lớn hơn chỉ tiêu tổng; các thành phần cộng lại bằng tổng.",
    "Mỗi dòng của biểu giải quyết TTHC: kỳ trước chuyển sang + mới tiếp nhận = đã giải quyết + "
    "rút/dừng + đang giải quyết; các cột tổng bằng tổng các cột thành phần.",
    "Phụ lục khớp với biểu năm: III.7.1, III.7.3, VII.2.1–VII.2.4, VII.9.3.",
    "Số liệu biểu đồ theo tháng cộng lại bằng số liệu của biểu.",
    "Kỳ báo cáo đủ ngày dữ liệu xuất của cả ba hệ thống (ngày thiếu, lỗi, bị loại: chưa đầy đủ).",
)


@dataclass(frozen=True)
class AppendixLine:
    """kind: `section` (I, II, ...), `item` (1, 2, ...), `subheading`, `indicator`."""

    kind: str
    stt: str
    text: str
    unit: str = ""
    value: Decimal | None = None
    is_rate: bool = False
    note: str = ""
    code: str = ""


def indicator_note(row: IndicatorRow) -> str:
    """Ghi chú: the ratio behind a rate or an "of which", as seed 000/001 write it."""
    if not row.in_mart:
        return "Không phát sinh trong năm"
    if row.kind == "rate":
        label = RATE_NOTES.get(row.code, "Tử số/Mẫu số")
        if not row.denominator:
            return f"{label}: không có (mẫu số bằng 0)"
        return f"{label}: {vn_int(row.numerator)}/{vn_int(row.denominator)}"
    if row.kind == "of_which" and row.denominator:
        share = Decimal(100) * Decimal(row.value or 0) / Decimal(row.denominator)
        return (
            f"{vn_int(row.value)}/{vn_int(row.denominator)} ({vn_pct(share)}) của {row.parent_code}"
        )
    return ""


def appendix_lines(rows: list[IndicatorRow]) -> list[AppendixLine]:
    lines: list[AppendixLine] = []
    by_section: dict[str, list[IndicatorRow]] = {}
    for r in rows:
        by_section.setdefault(section_of(r.code), []).append(r)
    order = [s for s in SECTION_ORDER if s in by_section] + sorted(
        s for s in by_section if s not in SECTIONS
    )
    for section in order:
        lines.append(AppendixLine("section", section, SECTIONS.get(section, f"Mục {section}")))
        current_item = None
        for r in by_section[section]:
            item = item_of(r.code)
            if item != current_item:
                current_item = item
                lines.append(
                    AppendixLine("item", item_number(r.code), ITEMS.get(item, f"Chỉ tiêu {item}"))
                )
            if r.code in SUBHEADINGS:
                lines.append(AppendixLine("subheading", "", SUBHEADINGS[r.code]))
            dash = r.kind == "of_which" or r.code in SUBHEADINGS
            value = r.value if r.in_mart else (None if r.kind == "rate" else Decimal(0))
            lines.append(
                AppendixLine(
                    "indicator",
                    "",
                    ("- " if dash else "") + r.name_vi,
                    r.unit_vi,
                    value,
                    r.kind == "rate",
                    indicator_note(r),
                    r.code,
                )
            )
    return lines


@dataclass
class Banner:
    severity: str  # error | warning
    title: str
    lines: list[str]


def banners(data: ReportData) -> list[Banner]:
    out = []
    if data.errors:
        out.append(
            Banner(
                "error",
                f"LỖI KIỂM TRA SỐ LIỆU: {len(data.errors)} lỗi — không sử dụng số liệu này "
                "trước khi khắc phục",
                [f"{f.where}: {f.message}" for f in data.errors],
            )
        )
    incomplete = [f for f in data.warnings if f.check == "completeness"]
    if incomplete:
        out.append(
            Banner(
                "warning",
                "SỐ LIỆU CHƯA ĐẦY ĐỦ: kỳ báo cáo thiếu ngày dữ liệu — số liệu có thể thấp hơn thực tế",
                [f"{f.where}: {f.message}" for f in incomplete],
            )
        )
    other = [f for f in data.warnings if f.check != "completeness"]
    if other:
        out.append(Banner("warning", "LƯU Ý", [f"{f.where}: {f.message}" for f in other]))
    return out


def local(ts: datetime | None) -> datetime | None:
    """A timestamp in Vietnam's time zone, without tzinfo (what openpyxl and readers want)."""
    return None if ts is None else ts.astimezone(LOCAL_TZ).replace(tzinfo=None)


def vn_datetime(ts: datetime | None) -> str:
    t = local(ts)
    return "không xác định" if t is None else t.strftime("%H:%M ngày %d/%m/%Y")


@dataclass
class ReportContent:
    """The formatted pieces of one report."""

    data: ReportData
    scope_title: str
    period_text: str
    as_of_text: str
    appendix_heading: str
    appendix_subheading: str
    appendix: list[AppendixLine]
    resolution_lines: list[FormLine]
    document_lines: list[FormLine]
    on_time_chart: RateChart
    received_chart: StackedChart
    documents_chart: StackedChart
    banners: list[Banner]

    @property
    def file_title(self) -> str:
        what = "Báo cáo CCHC" if self.data.annual else "Biểu giải quyết TTHC"
        return nfc(f"{what} — {self.scope_title} — {self.period_text}")


def as_of_text(data: ReportData) -> str:
    """'Dữ liệu đến ngày 14/12/2021; kho dữ liệu dựng lúc 01:30 ngày 15/12/2021' (the earliest
    last export day over the systems: no figure is newer than that)."""
    days = [st.last_day for st in data.provenance.systems if st.last_day is not None]
    head = f"Dữ liệu đến ngày {vn_date(min(days))}" if days else "Chưa có dữ liệu"
    return f"{head}; kho dữ liệu dựng lúc {vn_datetime(data.provenance.built_at)}"


def build_content(data: ReportData) -> ReportContent:
    p = data.period
    period_text = period_heading(p.period_type, p.label, p.start, p.end)
    total_name = TOTAL_LABEL + (" toàn tỉnh" if data.scope_level == "province" else "")
    appendix_heading = ""
    appendix_sub = ""
    if data.annual and data.indicator_period is not None:
        ip = data.indicator_period
        appendix_heading = nfc(f"NĂM {data.year} CỦA {data.scope_name.upper()}")
        appendix_sub = nfc(
            f"(Số liệu từ kho dữ liệu CCHC, "
            f"{period_heading('year', str(data.year), ip.start, ip.end).lower()})"
        )
    resolution = form_lines(data.resolution, data.agencies, sum_resolution, total_name)
    return ReportContent(
        data=data,
        scope_title=nfc(data.scope_name),
        period_text=nfc(period_text),
        as_of_text=as_of_text(data),
        appendix_heading=appendix_heading,
        appendix_subheading=appendix_sub,
        appendix=appendix_lines(data.indicators) if data.annual else [],
        resolution_lines=resolution,
        document_lines=form_lines(data.documents, data.agencies, sum_documents, total_name),
        on_time_chart=rate_chart(resolution, p),
        received_chart=received_chart(data.resolution_months, p),
        documents_chart=documents_chart(data.document_months, p),
        banners=banners(data),
    )


def provenance_rows(data: ReportData) -> list[tuple[str, str, str, str, str, str, str]]:
    """Per system: name, code, first day, data as of, rows loaded, rows quarantined, problem days."""
    out = []
    for st in data.provenance.systems:
        out.append(
            (
                SYSTEM_NAMES.get(st.system, st.system),
                st.system,
                vn_date(st.first_day),
                vn_date(st.last_day),
                vn_int(st.rows_loaded),
                vn_int(st.rows_quarantined),
                "; ".join(f"{vn_date(d)} ({s})" for d, s in st.problem_days) or "không",
            )
        )
    return out
