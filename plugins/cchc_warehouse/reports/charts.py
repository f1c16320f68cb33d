"""The report's three charts, as specifications both writers draw from (openpyxl native charts in
the xlsx, inline SVG in the HTML: no script, no external resource), and the SVG drawing itself."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from cchc_warehouse.formatting import vn_int, vn_pct
from cchc_warehouse.reports.forms import FormLine
from cchc_warehouse.reports.layout import month_tick, period_name
from cchc_warehouse.reports.model import MonthPoint, Period, resolution_rate


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    color: str  # hex RGB without '#', as openpyxl wants it
    values: tuple[int, ...]


@dataclass(frozen=True)
class StackedChart:
    """Columns per month, stacked by series (the stack is the month's total)."""

    id: str
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    y_title: str

    @property
    def totals(self) -> tuple[int, ...]:
        return tuple(sum(s.values[i] for s in self.series) for i in range(len(self.categories)))


@dataclass(frozen=True)
class RateChart:
    """Horizontal bars, one per agency: a percent (0-100) or None when nothing was resolved."""

    id: str
    title: str
    categories: tuple[str, ...]
    values: tuple[float | None, ...]
    reference: float | None  # the scope's own rate, drawn as a line
    reference_label: str


RECEIVED_SERIES = (
    ("online", "Trực tuyến", "2B6CB0"),
    ("in_person", "Trực tiếp", "DD6B20"),
    ("by_post", "Qua dịch vụ bưu chính công ích", "38A169"),
)
DOCUMENT_SERIES = (
    ("electronic", "Gửi hoàn toàn điện tử", "2B6CB0"),
    ("parallel", "Điện tử song song với giấy", "D69E2E"),
    ("paper", "Văn bản giấy", "718096"),
)


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rate_chart(lines: list[FormLine], period: Period) -> RateChart:
    agencies = [line for line in lines if line.kind == "agency"]
    total = next(line for line in lines if line.kind == "total")
    return RateChart(
        id="chart-on-time",
        title=f"Tỷ lệ hồ sơ giải quyết đúng hạn theo cơ quan — {period_name(period.period_type, period.label)}",
        categories=tuple(line.name if line.known else line.code for line in agencies),
        values=tuple(_f(getattr(line.row, "on_time_rate")) for line in agencies),  # noqa: B009
        reference=_f(resolution_rate(total.row)),  # type: ignore[arg-type]
        reference_label="Chung",
    )


def month_chart(
    chart_id: str,
    title: str,
    months: list[MonthPoint],
    spec: tuple[tuple[str, str, str], ...],
    y_title: str,
) -> StackedChart:
    return StackedChart(
        id=chart_id,
        title=title,
        categories=tuple(month_tick(m.label) for m in months),
        series=tuple(
            Series(key, name, color, tuple(m.values[key] for m in months))
            for key, name, color in spec
        ),
        y_title=y_title,
    )


def received_chart(months: list[MonthPoint], period: Period) -> StackedChart:
    return month_chart(
        "chart-received",
        f"Hồ sơ tiếp nhận theo tháng và kênh — {period_name(period.period_type, period.label)}",
        months,
        RECEIVED_SERIES,
        "Hồ sơ",
    )


def documents_chart(months: list[MonthPoint], period: Period) -> StackedChart:
    return month_chart(
        "chart-documents",
        f"Văn bản đi theo tháng và hình thức gửi — {period_name(period.period_type, period.label)}",
        months,
        DOCUMENT_SERIES,
        "Văn bản",
    )


# ---- SVG ---------------------------------------------------------------------------------


def nice_step(maximum: float, ticks: int = 5) -> float:
    """A round tick step (1, 2 or 5 x 10^n) giving about `ticks` intervals up to `maximum`."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    base = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * base >= raw:
            return max(1.0, m * base)
    return 10 * base


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 12,
    weight: str = "normal",
    fill: str = "#1a202c",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}">{escape(text)}</text>'
    )


def stacked_svg(chart: StackedChart, width: int = 760, height: int = 320) -> str:
    left, right, top, bottom = 64, 16, 40, 64
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = chart.totals
    step = nice_step(max(totals, default=0))
    y_max = step * max(1, math.ceil(max(totals, default=0) / step))
    n = max(1, len(chart.categories))
    slot = plot_w / n
    bar_w = slot * 0.62
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart.id}" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
        _text(width / 2, 20, chart.title, anchor="middle", size=14, weight="bold"),
    ]
    ticks = int(round(y_max / step))
    for i in range(ticks + 1):
        value = i * step
        y = top + plot_h - plot_h * value / y_max
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e2e8f0"/>'
        )
        parts.append(_text(left - 6, y + 4, vn_int(value), anchor="end", size=11))
    parts.append(
        _text(14, top + plot_h / 2, chart.y_title, anchor="middle", size=11).replace(
            "<text ", f'<text transform="rotate(-90 14 {top + plot_h / 2:.1f})" ', 1
        )
    )
    for i, category in enumerate(chart.categories):
        x = left + slot * i + (slot - bar_w) / 2
        base = top + plot_h
        for s in chart.series:
            v = s.values[i]
            if v <= 0:
                continue
            h = plot_h * v / y_max
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="#{s.color}"><title>{escape(category)} — {escape(s.name)}: {vn_int(v)}</title></rect>'
            )
        if totals[i]:
            parts.append(
                _text(x + bar_w / 2, base - 4, vn_int(totals[i]), anchor="middle", size=10)
            )
        parts.append(_text(x + bar_w / 2, top + plot_h + 16, category, anchor="middle", size=11))
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#4a5568"/>'
    )
    lx = left
    for s in chart.series:
        parts.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" fill="#{s.color}"/>')
        parts.append(_text(lx + 16, height - 12, s.name, size=11))
        lx += 28 + 7 * len(s.name)
    parts.append("</svg>")
    return "\n".join(parts)


def rate_svg(chart: RateChart, width: int = 760) -> str:
    label_w, right, top, row_h = 280, 70, 44, 20
    plot_w = width - label_w - right
    height = top + row_h * max(1, len(chart.categories)) + 36
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart.id}" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(chart.title)}">',
        f"<title>{escape(chart.title)}</title>",
        _text(width / 2, 20, chart.title, anchor="middle", size=14, weight="bold"),
    ]
    bottom = top + row_h * len(chart.categories)
    for pct in range(0, 101, 20):
        x = label_w + plot_w * pct / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#e2e8f0"/>'
        )
        parts.append(_text(x, bottom + 14, f"{pct}%", anchor="middle", size=10))
    for i, (name, value) in enumerate(zip(chart.categories, chart.values, strict=True)):
        y = top + row_h * i
        short = name if len(name) <= 42 else name[:40] + "…"
        parts.append(_text(label_w - 6, y + 14, short, anchor="end", size=11))
        if value is None:
            parts.append(
                _text(label_w + 4, y + 14, "không có hồ sơ đã giải quyết", size=10, fill="#718096")
            )
            continue
        w = plot_w * value / 100
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="#2B6CB0">'
            f"<title>{escape(name)}: {vn_pct(value)}</title></rect>"
        )
        parts.append(_text(label_w + w + 4, y + 14, vn_pct(value), size=10))
    if chart.reference is not None:
        x = label_w + plot_w * chart.reference / 100
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{bottom}" stroke="#C53030" '
            'stroke-dasharray="4 3"/>'
        )
        parts.append(
            _text(
                x,
                top - 10,
                f"{chart.reference_label}: {vn_pct(chart.reference)}",
                anchor="end",
                size=10,
                fill="#C53030",
            )
        )
    parts.append("</svg>")
    return "\n".join(parts)
