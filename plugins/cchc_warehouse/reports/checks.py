"""The checks every report runs before anyone reads it: the kind of error the seeds contain
(seed 000 prints 99.75% for 492.120/496.038, which is 99,21%) must fail loudly.

- every rate is recomputed from its numerator and denominator;
- every "of which" is at most its total, and the parts add up where they partition it;
- the appendix agrees with the forms (III.7.1 = dossiers received, III.7.3 = the year's on-time
  ratio, VII.2.x = outgoing documents by sending form, VII.9.3 = received by post);
- the chart series add up to the tables;
- a period with export days missing, failed or rejected, or not yet covered by the data, is
  incomplete.

Errors mean the figures contradict each other (the command fails); warnings mean the data is
incomplete (the report says so at the top). Pure functions: no database.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from cchc_warehouse.formatting import vn_date, vn_int, vn_pct
from cchc_warehouse.reports.layout import SYSTEM_NAMES
from cchc_warehouse.reports.model import (
    DocumentRow,
    Finding,
    IndicatorRow,
    MonthPoint,
    Period,
    Provenance,
    ReportData,
    ResolutionRow,
    document_rate,
    resolution_rate,
    sum_documents,
    sum_resolution,
)

# Marts store rates unrounded (numeric); two computations of the same ratio agree far closer
# than this, while a wrong figure (a typo, a rate of another row) is off by far more.
RATE_TOLERANCE = Decimal("1e-9")

# "Of which" indicators whose parts partition their parent (an outgoing document has one sending
# form): more than the parent is an error; less is a warning (forms the source left unreadable).
PARTITIONS: dict[str, tuple[str, ...]] = {"VII.2.1": ("VII.2.2", "VII.2.3", "VII.2.4")}

# Counts that cannot exceed another count although the catalogue does not call them "of which".
BOUNDED_BY: dict[str, str] = {"VII.9.3": "III.7.1", "VII.3.6": "III.7.1", "VII.3.7": "III.7.1"}

# Appendix indicator -> the nd09 year's form columns it must equal (summed over the scope).
RESOLUTION_EQUALS: dict[str, str] = {"III.7.1": "received", "VII.9.3": "received_by_post"}
DOCUMENT_EQUALS: dict[str, str] = {
    "VII.2.1": "outgoing",
    "VII.2.2": "outgoing_electronic",
    "VII.2.3": "outgoing_parallel",
    "VII.2.4": "outgoing_paper",
}


def error(check: str, where: str, message: str) -> Finding:
    return Finding("error", check, where, message)


def warning(check: str, where: str, message: str) -> Finding:
    return Finding("warning", check, where, message)


def rate_matches(
    value: Decimal | None, numerator: int | Decimal, denominator: int | Decimal
) -> bool:
    """A stored rate against 100 x numerator / denominator (None exactly when denominator is 0)."""
    if not denominator:
        return value is None
    if value is None:
        return False
    expected = Decimal(100) * Decimal(numerator) / Decimal(denominator)
    return abs(Decimal(value) - expected) <= RATE_TOLERANCE


def rate_text(numerator: int | Decimal, denominator: int | Decimal) -> str:
    if not denominator:
        return "không xác định (mẫu số 0)"
    return vn_pct(Decimal(100) * Decimal(numerator) / Decimal(denominator))


# ---- appendix --------------------------------------------------------------------------


def check_indicators(rows: list[IndicatorRow], scope_level: str) -> list[Finding]:
    found: list[Finding] = []
    by_code = {r.code: r for r in rows}

    def val(code: str) -> Decimal:
        r = by_code.get(code)
        return Decimal(r.value) if r is not None and r.value is not None else Decimal(0)

    for r in rows:
        where = f"Phụ lục, chỉ tiêu {r.code}"
        if not r.in_mart and scope_level == "province":
            found.append(error("indicator_missing", where, "chỉ tiêu không có trong marts"))
            continue
        if r.kind == "rate":
            num, den = r.numerator, r.denominator
            if num is None or den is None:
                found.append(error("rate", where, "tỷ lệ thiếu tử số hoặc mẫu số"))
            elif not rate_matches(r.value, num, den):
                shown = "trống" if r.value is None else vn_pct(r.value)
                found.append(
                    error(
                        "rate",
                        where,
                        f"tỷ lệ ghi {shown}, nhưng {vn_int(num)}/{vn_int(den)} = "
                        f"{rate_text(num, den)}",
                    )
                )
            elif num > den:
                found.append(
                    error("of_which", where, f"tử số {vn_int(num)} > mẫu số {vn_int(den)}")
                )
            if r.parent_code and den is not None and den != val(r.parent_code):
                found.append(
                    error(
                        "rate",
                        where,
                        f"mẫu số {vn_int(den)} khác chỉ tiêu {r.parent_code} = "
                        f"{vn_int(val(r.parent_code))}",
                    )
                )
            continue
        if r.value is not None and (r.value < 0 or r.value != int(r.value)):
            found.append(error("count", where, f"số liệu {r.value} không phải số đếm"))
        if r.kind == "of_which" and r.in_mart:
            parent = val(r.parent_code) if r.parent_code else None
            if r.numerator is not None and r.numerator != r.value:
                found.append(
                    error(
                        "of_which",
                        where,
                        f"tử số {vn_int(r.numerator)} ≠ số liệu {vn_int(r.value)}",
                    )
                )
            if parent is not None and r.denominator is not None and r.denominator != parent:
                found.append(
                    error(
                        "of_which",
                        where,
                        f"mẫu số {vn_int(r.denominator)} ≠ chỉ tiêu {r.parent_code} = {vn_int(parent)}",
                    )
                )
            if parent is not None and val(r.code) > parent:
                found.append(
                    error(
                        "of_which",
                        where,
                        f"“trong đó” {vn_int(val(r.code))} lớn hơn tổng "
                        f"{r.parent_code} = {vn_int(parent)}",
                    )
                )
    for part, bound in BOUNDED_BY.items():
        if part in by_code and bound in by_code and val(part) > val(bound):
            found.append(
                error(
                    "of_which",
                    f"Phụ lục, chỉ tiêu {part}",
                    f"{vn_int(val(part))} lớn hơn chỉ tiêu {bound} = {vn_int(val(bound))}",
                )
            )
    for total, parts in PARTITIONS.items():
        if total in by_code and all(p in by_code for p in parts):
            s = sum((val(p) for p in parts), Decimal(0))
            text = f"{' + '.join(parts)} = {vn_int(s)}, {total} = {vn_int(val(total))}"
            if s > val(total):
                found.append(error("of_which", f"Phụ lục, chỉ tiêu {total}", text))
            elif s < val(total):  # rows whose form the source left unreadable: shown, not hidden
                found.append(
                    warning(
                        "of_which_gap",
                        f"Phụ lục, chỉ tiêu {total}",
                        f"{text}: {vn_int(val(total) - s)} văn bản không rõ hình thức gửi",
                    )
                )
    return found


# ---- forms -----------------------------------------------------------------------------


def _equalities(row: ResolutionRow) -> Iterable[tuple[str, int, int]]:
    yield (
        "received = trực tuyến + trực tiếp, BCCI",
        row.received,
        row.received_online + row.received_in_person_or_post,
    )
    yield (
        "tổng phải giải quyết = kỳ trước + mới tiếp nhận",
        row.total_to_handle,
        (row.carried_over + row.received),
    )
    yield (
        "đã giải quyết = trước hạn + đúng hạn + quá hạn",
        row.resolved,
        (row.resolved_early + row.resolved_on_time + row.resolved_late),
    )
    yield (
        "đang giải quyết = trong hạn + quá hạn",
        row.pending,
        (row.pending_within_deadline + row.pending_overdue),
    )
    yield (
        "kỳ trước + mới tiếp nhận = đã giải quyết + rút/dừng + đang giải quyết",
        (row.carried_over + row.received),
        row.resolved + row.withdrawn_or_stopped + row.pending,
    )


def check_resolution(rows: list[ResolutionRow], form: str) -> list[Finding]:
    found: list[Finding] = []
    for row in rows:
        where = f"{form}, cơ quan {row.agency_code}"
        for name, left, right in _equalities(row):
            if left != right:
                found.append(error("sum", where, f"{name}: {vn_int(left)} ≠ {vn_int(right)}"))
        if row.received_by_post > row.received_in_person_or_post:
            found.append(
                error(
                    "of_which",
                    where,
                    f"qua BCCI {vn_int(row.received_by_post)} > trực tiếp, BCCI "
                    f"{vn_int(row.received_in_person_or_post)}",
                )
            )
        found += _rate_finding(
            where, row.on_time_rate, row.resolved_early + row.resolved_on_time, row.resolved
        )
    return found


def check_documents(rows: list[DocumentRow], form: str) -> list[Finding]:
    found: list[Finding] = []
    for row in rows:
        where = f"{form}, cơ quan {row.agency_code}"
        parts = row.outgoing_electronic + row.outgoing_parallel + row.outgoing_paper
        if parts > row.outgoing:
            found.append(
                error(
                    "of_which",
                    where,
                    f"điện tử + song song + giấy = {vn_int(parts)} > văn bản đi {vn_int(row.outgoing)}",
                )
            )
        for name, part in (
            ("có chữ ký số", row.outgoing_signed),
            ("qua Trục", row.outgoing_via_axis),
        ):
            if part > row.outgoing:
                found.append(
                    error(
                        "of_which",
                        where,
                        f"{name} {vn_int(part)} > văn bản đi {vn_int(row.outgoing)}",
                    )
                )
        judged = row.processed_on_time + row.processed_late + row.overdue_open
        if judged != row.with_deadline:
            found.append(
                error(
                    "sum",
                    where,
                    f"có hạn xử lý {vn_int(row.with_deadline)} ≠ đúng hạn + quá hạn + quá hạn chưa "
                    f"xử lý = {vn_int(judged)}",
                )
            )
        found += _rate_finding(
            where,
            row.processing_on_time_rate,
            row.processed_on_time,
            row.processed_on_time + row.processed_late,
        )
    return found


def _rate_finding(where: str, value: Decimal | None, num: int, den: int) -> list[Finding]:
    if rate_matches(value, num, den):
        return []
    shown = "trống" if value is None else vn_pct(value)
    return [
        error(
            "rate",
            where,
            f"tỷ lệ ghi {shown}, nhưng {vn_int(num)}/{vn_int(den)} = {rate_text(num, den)}",
        )
    ]


def check_appendix_against_forms(
    indicators: list[IndicatorRow],
    year_resolution: list[ResolutionRow],
    year_documents: list[DocumentRow],
) -> list[Finding]:
    """The appendix and the nd09 year's forms are computed by different marts: they must agree."""
    found: list[Finding] = []
    by_code = {r.code: r for r in indicators}
    res = sum_resolution("", year_resolution)
    docs = sum_documents("", year_documents)

    def compare(code: str, expected: int, what: str) -> None:
        r = by_code.get(code)
        got = Decimal(r.value) if r is not None and r.value is not None else Decimal(0)
        if got != expected:
            found.append(
                error(
                    "cross_check",
                    f"Phụ lục, chỉ tiêu {code}",
                    f"{vn_int(got)} ≠ {what} của biểu năm = {vn_int(expected)}",
                )
            )

    for code, column in RESOLUTION_EQUALS.items():
        compare(code, getattr(res, column), column)
    for code, column in DOCUMENT_EQUALS.items():
        compare(code, getattr(docs, column), column)
    rate = by_code.get("III.7.3")
    if rate is not None and rate.numerator is not None:
        on_time = res.resolved_early + res.resolved_on_time
        if rate.numerator != on_time or rate.denominator != res.resolved:
            found.append(
                error(
                    "cross_check",
                    "Phụ lục, chỉ tiêu III.7.3",
                    f"{vn_int(rate.numerator)}/{vn_int(rate.denominator)} ≠ biểu năm "
                    f"{vn_int(on_time)}/{vn_int(res.resolved)}",
                )
            )
    return found


def check_months(
    months: list[MonthPoint], total: int, series: tuple[str, ...], total_key: str, chart: str
) -> list[Finding]:
    """The monthly chart must add up to the form's total (months partition every period)."""
    found: list[Finding] = []
    for m in months:
        s = sum(m.values[k] for k in series)
        if s != m.values[total_key]:
            found.append(
                error(
                    "chart",
                    f"{chart}, {m.label}",
                    f"các kênh/hình thức {vn_int(s)} ≠ {vn_int(m.values[total_key])}",
                )
            )
    month_total = sum(m.values[total_key] for m in months)
    if months and month_total != total:
        found.append(
            error(
                "chart",
                chart,
                f"cộng các tháng {vn_int(month_total)} ≠ tổng của biểu {vn_int(total)}",
            )
        )
    return found


# ---- completeness ------------------------------------------------------------------------


STATUS_VI = {
    "missing": "không nhận được",
    "failed": "lỗi khi nạp",
    "rejected": "bị loại khi kiểm tra",
}


def check_completeness(provenance: Provenance, period: Period) -> list[Finding]:
    """Missing/failed/rejected export days inside the period, or data that does not reach its
    end (or start), make the period incomplete."""
    found: list[Finding] = []
    for st in provenance.systems:
        name = f"{SYSTEM_NAMES.get(st.system, st.system)} ({st.system})"
        if st.last_day is None:
            found.append(warning("completeness", name, "chưa có ngày dữ liệu nào được nạp"))
            continue
        if st.last_day < period.end:
            found.append(
                warning(
                    "completeness",
                    name,
                    f"số liệu mới đến ngày {vn_date(st.last_day)}, kỳ báo cáo kết thúc ngày "
                    f"{vn_date(period.end)}",
                )
            )
        if st.first_day and st.first_day > period.start:
            found.append(
                warning(
                    "completeness",
                    name,
                    f"số liệu bắt đầu từ ngày {vn_date(st.first_day)}, sau ngày đầu kỳ "
                    f"{vn_date(period.start)}",
                )
            )
        if st.problem_days:
            found.append(
                warning(
                    "completeness",
                    name,
                    f"{len(st.problem_days)} ngày dữ liệu xuất thiếu hoặc lỗi trong kỳ: "
                    + "; ".join(
                        f"{vn_date(d)} ({STATUS_VI.get(s, s)})" for d, s in st.problem_days
                    ),
                )
            )
    return found


def days_missing(provenance: Provenance) -> list[tuple[str, date, str]]:
    return [(st.system, d, s) for st in provenance.systems for d, s in st.problem_days]


# ---- all -------------------------------------------------------------------------------


def run_checks(data: ReportData) -> list[Finding]:
    """Every check of the report, errors first."""
    found: list[Finding] = []
    form = "Biểu giải quyết TTHC"
    docs = "Biểu văn bản"
    if data.annual:
        found += check_indicators(data.indicators, data.scope_level)
        found += check_appendix_against_forms(
            data.indicators, data.year_resolution, data.year_documents
        )
    found += check_resolution(data.resolution, form)
    found += check_documents(data.documents, docs)
    found += check_months(
        data.resolution_months,
        sum_resolution("", data.resolution).received,
        ("online", "in_person", "by_post"),
        "received",
        "Biểu đồ hồ sơ tiếp nhận theo tháng",
    )
    found += check_months(
        data.document_months,
        sum_documents("", data.documents).outgoing,
        ("electronic", "parallel", "paper"),
        "outgoing",
        "Biểu đồ văn bản đi theo tháng",
    )
    span = data.period
    if data.indicator_period is not None:
        span = Period(
            span.convention,
            span.period_type,
            span.label,
            span.year,
            min(span.start, data.indicator_period.start),
            max(span.end, data.indicator_period.end),
        )
    found += check_completeness(data.provenance, span)
    found.sort(key=lambda f: f.severity != "error")
    return found


__all__ = [
    "check_appendix_against_forms",
    "check_completeness",
    "check_documents",
    "check_indicators",
    "check_months",
    "check_resolution",
    "document_rate",
    "rate_matches",
    "resolution_rate",
    "run_checks",
]
