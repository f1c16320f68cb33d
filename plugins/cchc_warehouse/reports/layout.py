"""What the report documents look like: section numbers and titles of the appendix (seed 001),
the columns of the period form and of the document table, and Vietnamese period names.

Indicator names and units are not here: they come from `marts.rpt_cchc_indicators` (which takes
them from the seed `ref_cchc_indicators`). Only the headings the marts do not carry are.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from cchc_warehouse.formatting import vn_period


def nfc(text: str) -> str:
    """Every string that reaches a document is NFC (one code point per Vietnamese letter)."""
    return unicodedata.normalize("NFC", text)


# ---- The appendix "THỐNG KÊ SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH" (seed 001) ------------------

APPENDIX_TITLE = "PHỤ LỤC"
APPENDIX_SUBTITLE = "THỐNG KÊ SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH"
APPENDIX_HEADERS = ("STT", "Chỉ tiêu thống kê", "Đơn vị tính", "Số liệu", "Ghi chú", "Mã chỉ tiêu")

# Section titles as seed 001 prints them, keyed by the first part of the indicator code.
SECTIONS: dict[str, str] = {
    "I": "Công tác chỉ đạo điều hành CCHC",
    "II": "Cải cách thể chế",
    "III": "Cải cách thủ tục hành chính",
    "IV": "Cải cách tổ chức bộ máy hành chính nhà nước",
    "V": "Cải cách chế độ công vụ",
    "VI": "Cải cách tài chính công",
    "VII": "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
}
SECTION_ORDER = tuple(SECTIONS)

# Numbered items inside a section, keyed by the first two parts of the indicator code (seed 001).
ITEMS: dict[str, str] = {
    "I.7": "Khảo sát sự hài lòng của người dân, tổ chức",
    "III.7": "Kết quả giải quyết TTHC",
    "VII.2": "Số liệu về trao đổi văn bản điện tử",
    "VII.3": "Dịch vụ công trực tuyến mức độ 3, 4",
    "VII.9": "Dịch vụ bưu chính công ích (BCCI)",
}

# Unnumbered sub-headings seed 001 prints before some indicators.
SUBHEADINGS: dict[str, str] = {
    "VII.3.1": "Dịch vụ công trực tuyến mức độ 3",
    "VII.3.3": "Dịch vụ công trực tuyến mức độ 4",
}

# Seed 001's wording for the ratio behind a rate ("Số lượng TTHC đã giải quyết đúng hạn/Số lượng
# TTHC đã giải quyết: 97/97"), for the rates the marts carry.
RATE_NOTES: dict[str, str] = {
    "III.7.3": "Số hồ sơ đã giải quyết đúng hạn (trước hạn và đúng hạn)/Số hồ sơ đã giải quyết",
    "I.7.2": "Số phiếu hài lòng (Rất hài lòng và Hài lòng)/Số phiếu khảo sát",
}

APPENDIX_FOOTNOTE = (
    "Phụ lục chỉ gồm các chỉ tiêu tính được từ kho dữ liệu CCHC (hệ thống một cửa điện tử, "
    "quản lý văn bản và điều hành, Cổng dịch vụ công). Các chỉ tiêu khác của Phụ lục "
    "(mục II, IV, V, VI và các chỉ tiêu còn lại của mục I, III, VII) do cơ quan, đơn vị điền."
)


def section_of(indicator_code: str) -> str:
    return indicator_code.split(".")[0]


def item_of(indicator_code: str) -> str:
    return ".".join(indicator_code.split(".")[:2])


def item_number(indicator_code: str) -> str:
    """'VII.3.4' -> '3' (the arabic number seed 001 prints in the STT column)."""
    parts = indicator_code.split(".")
    return parts[1] if len(parts) > 1 else ""


# ---- The period form "Tình hình, kết quả giải quyết TTHC" ----------------------------------


@dataclass(frozen=True)
class Column:
    """One numeric column of a form: the mart column, its header, its group header, its number."""

    key: str
    header: str
    group: str | None = None
    is_rate: bool = False


RESOLUTION_TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
RESOLUTION_GROUP_IN = "Số hồ sơ nhận giải quyết"
RESOLUTION_GROUP_DONE = "Số hồ sơ đã giải quyết"
RESOLUTION_GROUP_OPEN = "Số hồ sơ đang giải quyết"

RESOLUTION_COLUMNS: tuple[Column, ...] = (
    Column("total_to_handle", "Tổng số", RESOLUTION_GROUP_IN),
    Column("carried_over", "Kỳ trước chuyển sang", RESOLUTION_GROUP_IN),
    Column("received", "Mới tiếp nhận", RESOLUTION_GROUP_IN),
    Column("received_online", "Trong đó: trực tuyến", RESOLUTION_GROUP_IN),
    Column(
        "received_in_person_or_post", "Trong đó: trực tiếp, dịch vụ bưu chính", RESOLUTION_GROUP_IN
    ),
    Column("received_by_post", "Trong đó: qua dịch vụ BCCI", RESOLUTION_GROUP_IN),
    Column("resolved", "Tổng số", RESOLUTION_GROUP_DONE),
    Column("resolved_early", "Trước hạn", RESOLUTION_GROUP_DONE),
    Column("resolved_on_time", "Đúng hạn", RESOLUTION_GROUP_DONE),
    Column("resolved_late", "Quá hạn", RESOLUTION_GROUP_DONE),
    Column("withdrawn_or_stopped", "Rút hồ sơ, dừng xử lý"),
    Column("pending", "Tổng số", RESOLUTION_GROUP_OPEN),
    Column("pending_within_deadline", "Trong hạn", RESOLUTION_GROUP_OPEN),
    Column("pending_overdue", "Quá hạn", RESOLUTION_GROUP_OPEN),
    Column("not_accepted", "Không được tiếp nhận"),
    Column("on_time_rate", "Tỷ lệ giải quyết đúng hạn (%)", is_rate=True),
)

DOCUMENTS_TITLE = "TÌNH HÌNH GỬI, NHẬN VÀ XỬ LÝ VĂN BẢN ĐIỆN TỬ"
DOCUMENTS_GROUP_OUT = "Văn bản đi"
DOCUMENTS_GROUP_IN = "Văn bản đến"

DOCUMENT_COLUMNS: tuple[Column, ...] = (
    Column("outgoing", "Tổng số", DOCUMENTS_GROUP_OUT),
    Column("outgoing_electronic", "Gửi hoàn toàn điện tử", DOCUMENTS_GROUP_OUT),
    Column("outgoing_parallel", "Điện tử song song với giấy", DOCUMENTS_GROUP_OUT),
    Column("outgoing_paper", "Văn bản giấy", DOCUMENTS_GROUP_OUT),
    Column("outgoing_signed", "Có chữ ký số", DOCUMENTS_GROUP_OUT),
    Column("outgoing_via_axis", "Qua Trục liên thông văn bản quốc gia", DOCUMENTS_GROUP_OUT),
    Column("incoming", "Tổng số", DOCUMENTS_GROUP_IN),
    Column("with_deadline", "Có hạn xử lý trong kỳ", DOCUMENTS_GROUP_IN),
    Column("processed_on_time", "Xử lý đúng hạn", DOCUMENTS_GROUP_IN),
    Column("processed_late", "Xử lý quá hạn", DOCUMENTS_GROUP_IN),
    Column("overdue_open", "Quá hạn chưa xử lý", DOCUMENTS_GROUP_IN),
    Column("processing_on_time_rate", "Tỷ lệ xử lý đúng hạn (%)", is_rate=True),
)

# Agency groups of the forms, in order, by dim_agency.agency_level.
AGENCY_GROUPS: tuple[tuple[str, str, tuple[str | None, ...]], ...] = (
    ("tinh", "Cơ quan cấp tỉnh (UBND tỉnh, các sở, ban, ngành)", ("TINH", "SO")),
    ("huyen", "UBND cấp huyện", ("HUYEN",)),
    ("xa", "UBND cấp xã", ("XA",)),
    ("khac", "Mã cơ quan không có trong danh mục cơ quan", (None,)),
)
TOTAL_LABEL = "Tổng cộng"

SYSTEM_NAMES: dict[str, str] = {
    "onestop": "Hệ thống thông tin một cửa điện tử",
    "docmgmt": "Hệ thống quản lý văn bản và điều hành",
    "portal": "Cổng dịch vụ công của tỉnh",
}

# ---- Periods ----------------------------------------------------------------------------

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def roman(n: int) -> str:
    return ROMAN[n - 1]


def period_name(period_type: str, label: str) -> str:
    """'quarter', '2021-Q4' -> 'Quý IV năm 2021'; 'year', '2021' -> 'Năm 2021'."""
    year = label[:4]
    suffix = label[5:]
    if period_type == "year":
        return f"Năm {year}"
    if period_type == "quarter":
        return f"Quý {roman(int(suffix[1:]))} năm {year}"
    if period_type == "half_year":
        return f"6 tháng {'đầu' if suffix == 'H1' else 'cuối'} năm {year}"
    if period_type == "nine_months":
        return f"9 tháng năm {year}"
    if period_type == "month":
        return f"Tháng {int(suffix)} năm {year}"
    raise ValueError(f"unknown period type {period_type!r}")


CONVENTION_NOTES = {
    "nd09": "kỳ báo cáo theo Nghị định số 09/2019/NĐ-CP",
    "calendar": "theo lịch dương",
}


def period_heading(period_type: str, label: str, start: date, end: date) -> str:
    """'Năm 2021 (từ ngày 15/12/2020 đến ngày 14/12/2021)'."""
    return f"{period_name(period_type, label)} ({vn_period(start, end)})"


def month_tick(label: str) -> str:
    """'2021-03' -> 'T3' (the month axis of the charts; the year is in the chart title)."""
    return f"T{int(label[5:])}"
