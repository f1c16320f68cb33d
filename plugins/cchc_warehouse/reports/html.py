"""The report as one self-contained HTML page (also the source of the PDF): Vietnamese number and
date formats, inline SVG charts, print CSS for A4, and no external resource (no font download,
no script) — it opens the same offline as online."""

from __future__ import annotations

from html import escape
from pathlib import Path

from cchc_warehouse.formatting import vn_date, vn_int, vn_pct
from cchc_warehouse.reports.charts import rate_svg, stacked_svg
from cchc_warehouse.reports.content import (
    CHECKS_DONE,
    ReportContent,
    provenance_rows,
    vn_datetime,
)
from cchc_warehouse.reports.forms import FormLine
from cchc_warehouse.reports.layout import (
    APPENDIX_FOOTNOTE,
    APPENDIX_HEADERS,
    APPENDIX_SUBTITLE,
    APPENDIX_TITLE,
    CONVENTION_NOTES,
    DOCUMENT_COLUMNS,
    DOCUMENTS_TITLE,
    RESOLUTION_COLUMNS,
    RESOLUTION_TITLE,
    Column,
    nfc,
)

# Fonts with every Vietnamese letter: Times New Roman (what official documents use, on Windows
# and macOS), its metric twins Tinos and Liberation Serif (on Debian the fonts-liberation2 package,
# which the Makefile installs with chromium; version 1, fonts-liberation, lacks Vietnamese
# letters), then Noto Serif and DejaVu Serif. No web font is downloaded.
FONT_STACK = '"Times New Roman", Tinos, "Liberation Serif", "Noto Serif", "DejaVu Serif", serif'

CSS_RULES = """
@page { size: A4 landscape; margin: 12mm; }
body { font-family: var(--report-fonts); font-size: 13pt; color: #1a202c; margin: 24px; line-height: 1.35; }
h1, h2, h3 { text-align: center; margin: 4px 0; }
h1 { font-size: 15pt; } h2 { font-size: 14pt; } h3 { font-size: 13pt; font-weight: bold; }
p.sub { text-align: center; font-style: italic; margin: 2px 0 12px; }
section { margin-bottom: 32px; }
section + section { break-before: page; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border: 1px solid #808080; padding: 3px 5px; vertical-align: top; }
th { background: #e2e8f0; text-align: center; vertical-align: middle; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.c { text-align: center; }
tr.section td, tr.item td { font-weight: bold; }
tr.subheading td { font-style: italic; }
tr.total td, tr.group td { font-weight: bold; background: #f7fafc; }
tr.colno th { font-style: italic; font-weight: normal; }
table.form { font-size: 10.5pt; }
.unit { text-align: right; font-style: italic; }
.banner { border: 3px solid; padding: 8px 12px; margin: 8px 0 16px; font-weight: bold; }
.banner.error { border-color: #c53030; background: #fed7d7; color: #742a2a; }
.banner.warning { border-color: #dd6b20; background: #feebc8; color: #7b341e; }
.banner ul { margin: 4px 0 0 16px; font-weight: normal; }
.note { font-style: italic; font-size: 11pt; }
figure { margin: 12px 0; break-inside: avoid; }
svg.chart { max-width: 100%; height: auto; font-family: %(fonts)s; }
dl.facts { display: grid; grid-template-columns: 18em 1fr; gap: 2px 12px; }
dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
td.error { background: #fed7d7; } td.warning { background: #feebc8; }
table.form th.name { width: 19%; } table.form th.code { width: 8%; }
table.form td.code { white-space: nowrap; font-size: 90%; }
@media print {
  body { font-size: 11pt; margin: 0; }
  table.form { font-size: 8.5pt; }
  .banner { font-size: 9pt; padding: 4px 8px; }
  figure { text-align: center; }
}
"""
CSS = f":root {{ --report-fonts: {FONT_STACK}; }}\n{CSS_RULES}"


def write_html(content: ReportContent, path: Path) -> Path:
    path.write_text(render_html(content), encoding="utf-8")
    return path


def render_html(content: ReportContent) -> str:
    data = content.data
    parts = [
        "<!DOCTYPE html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="cchc report">',
        f"<title>{escape(content.file_title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
    ]
    if data.annual:
        parts.append(_appendix(content))
    parts.append(
        _form(
            content,
            "giai-quyet-tthc",
            RESOLUTION_TITLE,
            "Đơn vị tính: hồ sơ",
            RESOLUTION_COLUMNS,
            content.resolution_lines,
        )
    )
    parts.append("<figure>" + rate_svg(content.on_time_chart) + "</figure>")
    parts.append("<figure>" + stacked_svg(content.received_chart) + "</figure>")
    parts.append("</section>")
    parts.append(
        _form(
            content,
            "van-ban",
            DOCUMENTS_TITLE,
            "Đơn vị tính: văn bản",
            DOCUMENT_COLUMNS,
            content.document_lines,
        )
    )
    parts.append("<figure>" + stacked_svg(content.documents_chart) + "</figure>")
    parts.append("</section>")
    parts.append(_provenance(content))
    parts += ["</body>", "</html>", ""]
    return nfc("\n".join(parts))


def _banners(content: ReportContent) -> str:
    out = []
    for b in content.banners:
        items = "".join(f"<li>{escape(line)}</li>" for line in b.lines)
        out.append(
            f'<div class="banner {b.severity}" role="alert">{escape(b.title)}<ul>{items}</ul></div>'
        )
    return "\n".join(out)


def _appendix(content: ReportContent) -> str:
    rows = []
    for line in content.appendix:
        if line.kind != "indicator":
            stt = f'<td class="c">{escape(line.stt)}</td>'
            rows.append(
                f'<tr class="{line.kind}">{stt}<td>{escape(line.text)}</td><td></td><td></td>'
                "<td></td><td></td></tr>"
            )
            continue
        if line.value is None:
            value = "-"
        else:
            value = vn_pct(line.value) if line.is_rate else vn_int(line.value)
        rows.append(
            f'<tr class="indicator" data-code="{escape(line.code)}"><td></td>'
            f'<td>{escape(line.text)}</td><td class="c">{escape(line.unit)}</td>'
            f'<td class="n">{value}</td><td>{escape(line.note)}</td>'
            f'<td class="c">{escape(line.code)}</td></tr>'
        )
    h = APPENDIX_HEADERS
    return f"""<section id="phu-luc">
{_banners(content)}
<h1>{escape(APPENDIX_TITLE)}</h1>
<h1>{escape(APPENDIX_SUBTITLE)}</h1>
<h2>{escape(content.appendix_heading)}</h2>
<p class="sub">{escape(content.appendix_subheading)}<br>{escape(content.as_of_text)}</p>
<table class="appendix">
<thead>
<tr><th rowspan="2">{h[0]}</th><th rowspan="2">{h[1]}</th><th colspan="2">Kết quả thống kê</th>
<th rowspan="2">{h[4]}</th><th rowspan="2">{h[5]}</th></tr>
<tr><th>{h[2]}</th><th>{h[3]}</th></tr>
</thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
<p class="note">{escape(APPENDIX_FOOTNOTE)}</p>
</section>"""


def _header(columns: tuple[Column, ...]) -> str:
    top = [
        '<th rowspan="2">STT</th>',
        '<th rowspan="2" class="name">Cơ quan, đơn vị</th>',
        '<th rowspan="2" class="code">Mã định danh</th>',
    ]
    sub = []
    i = 0
    while i < len(columns):
        c = columns[i]
        if c.group is None:
            top.append(f'<th rowspan="2">{escape(c.header)}</th>')
            i += 1
            continue
        span = 1
        while i + span < len(columns) and columns[i + span].group == c.group:
            span += 1
        top.append(f'<th colspan="{span}">{escape(c.group)}</th>')
        sub += [f"<th>{escape(columns[i + k].header)}</th>" for k in range(span)]
        i += span
    numbers = "".join(f"<th>({k})</th>" for k in range(1, 4 + len(columns)))
    return f'<tr>{"".join(top)}</tr>\n<tr>{"".join(sub)}</tr>\n<tr class="colno">{numbers}</tr>'


def _cell(value, column: Column) -> str:
    if value is None:
        return '<td class="n">-</td>'
    return f'<td class="n">{vn_pct(value) if column.is_rate else vn_int(value)}</td>'


def _form(
    content: ReportContent,
    section_id: str,
    title: str,
    unit: str,
    columns: tuple[Column, ...],
    lines: list[FormLine],
) -> str:
    """Opens the form's section (the caller appends its charts and closes it)."""
    p = content.data.period
    body = []
    for line in lines:
        cells = "".join(_cell(getattr(line.row, c.key), c) for c in columns)
        code = f' data-agency="{escape(line.code)}"' if line.code else ""
        body.append(
            f'<tr class="{line.kind}"{code}><td class="c">{escape(line.stt)}</td>'
            f'<td>{escape(line.name)}</td><td class="code">{escape(line.code)}</td>{cells}</tr>'
        )
    if len(lines) == 1:
        body.append(
            f'<tr><td colspan="{3 + len(columns)}" class="c">Không phát sinh trong kỳ</td></tr>'
        )
    return f"""<section id="{section_id}">
{_banners(content)}
<h1>{escape(title)}</h1>
<h3>Phạm vi: {escape(content.scope_title)}</h3>
<p class="sub">{escape(content.period_text)} — {escape(CONVENTION_NOTES[p.convention])}<br>
{escape(content.as_of_text)}</p>
<p class="unit">{escape(unit)}</p>
<table class="form">
<thead>
{_header(columns)}
</thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>"""


def _provenance(content: ReportContent) -> str:
    data = content.data
    prov = data.provenance
    status = "CÓ LỖI" if data.errors else ("CHƯA ĐẦY ĐỦ" if data.incomplete else "Đầy đủ, khớp")
    facts = [
        ("Phạm vi", f"{content.scope_title} (mã {data.scope_code})"),
        ("Kỳ báo cáo", content.period_text),
        ("Cách tính kỳ", CONVENTION_NOTES[data.period.convention]),
        (
            "Số liệu lấy từ",
            "marts.rpt_cchc_indicators, marts.rpt_dossier_resolution, marts.rpt_document_exchange",
        ),
        ("Kho dữ liệu (marts) dựng lúc", vn_datetime(prov.built_at)),
        ("Marts tính đến ngày dữ liệu", vn_date(prov.marts_as_of)),
        ("Báo cáo lập lúc", vn_datetime(prov.generated_at)),
        ("Tình trạng số liệu", status),
    ]
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
    systems = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if k in (4, 5) else ''}>{escape(v)}</td>" for k, v in enumerate(r)
        )
        + "</tr>"
        for r in provenance_rows(data)
    )
    checks = "".join(f"<li>{escape(t)}</li>" for t in CHECKS_DONE)
    if data.findings:
        findings = "".join(
            f'<tr><td class="{f.severity}">{"LỖI" if f.severity == "error" else "Cảnh báo"}</td>'
            f"<td>{escape(f.check)}</td><td>{escape(f.where)}</td><td>{escape(f.message)}</td></tr>"
            for f in data.findings
        )
        result = (
            "<table><thead><tr><th>Mức độ</th><th>Kiểm tra</th><th>Vị trí</th><th>Nội dung</th>"
            f"</tr></thead><tbody>{findings}</tbody></table>"
        )
    else:
        result = "<p>Không có lỗi, không có cảnh báo.</p>"
    return f"""<section id="nguon-so-lieu">
<h1>NGUỒN SỐ LIỆU VÀ KIỂM TRA</h1>
<dl class="facts">{dl}</dl>
<h3>Dữ liệu nạp theo hệ thống nguồn</h3>
<table><thead><tr><th>Hệ thống</th><th>Mã</th><th>Dữ liệu từ ngày</th><th>Dữ liệu đến ngày</th>
<th>Số dòng đã nạp trong kỳ</th><th>Số dòng bị cách ly trong kỳ</th>
<th>Ngày thiếu, lỗi trong kỳ</th></tr></thead>
<tbody>{systems}</tbody></table>
<h3>Các kiểm tra đã thực hiện</h3>
<ul>{checks}</ul>
<h3>Kết quả kiểm tra</h3>
{result}
</section>"""
