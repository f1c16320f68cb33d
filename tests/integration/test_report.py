"""`cchc report` on a simulated province loaded by the pipeline: the xlsx cells equal the marts
(read here with the test's own SQL), the checks fail loudly on a wrong rate, missing export days
mark the period incomplete, and the HTML renders in headless Chromium with Vietnamese text.

The landing folder covers the nd09 first quarter of 2021 (15/12/2020-14/03/2021): the Q1 form
is complete but for the simulator's missing days; the 2021 appendix is incomplete (the data
stops in March), which the report must say.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import unicodedata
import zlib
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from cchc_warehouse import cli, pipeline, warehouse
from cchc_warehouse.formatting import vn_pct
from cchc_warehouse.reports import ReportCheckError, chromium, load_report, write_report
from cchc_warehouse.reports.html import FONT_STACK
from cchc_warehouse.reports.layout import DOCUMENT_COLUMNS, RESOLUTION_COLUMNS
from cchc_warehouse.simulate import generate
from openpyxl import load_workbook

pytestmark = pytest.mark.slow

START, END = date(2020, 12, 15), date(2021, 3, 14)
SEED = 11
DEFECTS = "duplicates,resend,late,missing_day,null_dates,clock_errors,messy_codes,unknown_codes"

INDICATORS_SQL = """
select indicator_code, value, numerator, denominator
from marts.rpt_cchc_indicators
where report_year = %s and scope_level = %s and scope_code = %s
"""
FORM_SQL = """
select * from marts.{table}
where period_convention = %s and period_label = %s
"""
PROBLEM_DAYS_SQL = """
select system, export_date from audit.day_status
where status <> 'published' and export_date between %s and %s
"""


@pytest.fixture(scope="module")
def db(module_db, tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    generate(landing, START, END, seed=SEED, scale="small", defects=DEFECTS)
    old = os.environ.get("CCHC_PII_KEY")
    os.environ["CCHC_PII_KEY"] = "report-test-key"
    try:
        pipeline.backfill(landing, START, END, validate=False, url=module_db)
    finally:
        if old is None:
            os.environ.pop("CCHC_PII_KEY", None)
        else:
            os.environ["CCHC_PII_KEY"] = old
    return module_db


def query(url: str, sql: str, *params) -> list[dict]:
    with psycopg.connect(warehouse.conninfo(url), row_factory=psycopg.rows.dict_row) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def annual(db, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("annual") / "bao-cao-2021.xlsx"
    paths = write_report(year=2021, out=out, url=db, pdf=True)
    return {p.suffix.lstrip("."): p for p in paths}


@pytest.fixture(scope="module")
def quarter(db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("q1") / "q1.xlsx"
    paths = write_report(year=2021, out=out, period="2021-Q1", url=db, pdf=False)
    return paths[0]


def province(db) -> str:
    return query(
        db,
        "select distinct scope_code from marts.rpt_cchc_indicators where scope_level = 'province'",
    )[0]["scope_code"]


def sheet_rows(ws, key_col: int) -> dict[str, tuple]:
    """Rows keyed by the value of one column (indicator code or agency code)."""
    return {r[key_col].value: r for r in ws.iter_rows() if isinstance(r[key_col].value, str)}


def numeric(cell) -> float | int | None:
    if cell.value is None:
        return None
    assert cell.data_type == "n", f"{cell.coordinate} holds {cell.value!r} as text"
    return cell.value


# ---- xlsx against the marts ----------------------------------------------------------------


def test_writes_xlsx_html_pdf(annual):
    assert set(annual) == {"xlsx", "html", "pdf"}
    pdf = annual["pdf"].read_bytes()
    assert pdf[:5] == b"%PDF-"
    # appendix, period form, document table, provenance: each starts a page
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 4


def test_appendix_cells_equal_the_marts(db, annual):
    expected = {
        r["indicator_code"]: r for r in query(db, INDICATORS_SQL, 2021, "province", province(db))
    }
    assert len(expected) >= 22
    ws = load_workbook(annual["xlsx"])["Phụ lục"]
    rows = {k: v for k, v in sheet_rows(ws, 5).items() if k in expected}
    assert set(rows) == set(expected)
    for code, mart in expected.items():
        value = numeric(rows[code][3])
        if mart["value"] is None:
            assert value is None, code
        elif (
            mart["numerator"] is not None
            and mart["denominator"] is not None
            and code in ("III.7.3", "I.7.2")
        ):
            assert value == pytest.approx(float(mart["value"]), abs=1e-9), code
            assert rows[code][3].number_format == '0.00"%"'
        else:
            assert value == int(mart["value"]), code
            assert rows[code][3].number_format == "#,##0"
    name = query(
        db,
        "select indicator_name_vi from marts.ref_cchc_indicators where indicator_code = 'III.7.1'",
    )[0]["indicator_name_vi"]
    assert rows["III.7.1"][1].value == name


@pytest.mark.parametrize(
    ("table", "sheet", "columns"),
    [
        ("rpt_dossier_resolution", "Giải quyết TTHC", RESOLUTION_COLUMNS),
        ("rpt_document_exchange", "Văn bản", DOCUMENT_COLUMNS),
    ],
)
def test_form_cells_equal_the_marts(db, quarter, table, sheet, columns):
    mart = query(db, FORM_SQL.format(table=table), "nd09", "2021-Q1")
    assert len(mart) >= 5
    ws = load_workbook(quarter)[sheet]
    rows = sheet_rows(ws, 2)
    for m in mart:
        row = rows[m["agency_code"]]
        for k, column in enumerate(columns, start=3):
            got, want = numeric(row[k]), m[column.key]
            if column.is_rate:
                assert (got is None) == (want is None), (m["agency_code"], column.key)
                if want is not None:
                    assert got == pytest.approx(float(want), abs=1e-9)
            else:
                assert got == want, (m["agency_code"], column.key)
    total = next(r for r in ws.iter_rows() if str(r[1].value).startswith("Tổng cộng"))
    for k, column in enumerate(columns, start=3):
        if not column.is_rate:
            assert numeric(total[k]) == sum(m[column.key] for m in mart), column.key
    # only this period's agencies, each once
    assert {r for r in rows if r and r.count(".") == 3} == {m["agency_code"] for m in mart}


def test_quarter_report_has_no_appendix_and_names_the_period(quarter):
    wb = load_workbook(quarter)
    assert "Phụ lục" not in wb.sheetnames
    titles = [c.value for r in wb["Giải quyết TTHC"].iter_rows(max_row=4) for c in r if c.value]
    assert any("Quý I năm 2021 (từ ngày 15/12/2020 đến ngày 14/03/2021)" in t for t in titles)


def test_charts_in_the_workbook(annual):
    wb = load_workbook(annual["xlsx"])
    assert len(wb["Biểu đồ"]._charts) == 3


def test_agency_scope_appendix(db, tmp_path):
    agency = query(
        db,
        "select scope_code from marts.rpt_cchc_indicators where scope_level = 'agency' "
        "and report_year = 2021 and indicator_code = 'III.7.1' order by value desc limit 1",
    )[0]["scope_code"]
    paths = write_report(year=2021, out=tmp_path / "a.xlsx", scope=agency, url=db, pdf=False)
    expected = {r["indicator_code"]: r for r in query(db, INDICATORS_SQL, 2021, "agency", agency)}
    rows = sheet_rows(load_workbook(paths[0])["Phụ lục"], 5)
    assert numeric(rows["III.7.1"][3]) == int(expected["III.7.1"]["value"])
    form = sheet_rows(load_workbook(paths[0])["Giải quyết TTHC"], 2)
    assert {k for k in form if k.count(".") == 3} == {agency}


# ---- checks -------------------------------------------------------------------------------


def test_problem_days_of_the_period_are_marked(db, quarter):
    expected = {(r["system"], r["export_date"]) for r in query(db, PROBLEM_DAYS_SQL, START, END)}
    assert expected, "the simulator's seed is chosen to miss export days in the quarter"
    data = load_report(year=2021, period="2021-Q1", url=db)
    flagged = {(st.system, d) for st in data.provenance.systems for d, _ in st.problem_days}
    assert flagged == expected
    assert data.incomplete and not data.errors
    ws = load_workbook(quarter)["Giải quyết TTHC"]
    banner = next(
        c.value
        for r in ws.iter_rows(max_row=8)
        for c in r
        if isinstance(c.value, str) and c.value.startswith("SỐ LIỆU CHƯA ĐẦY ĐỦ")
    )
    for _system, day in expected:
        assert day.strftime("%d/%m/%Y") in banner


def test_year_beyond_the_data_is_incomplete(db):
    data = load_report(year=2021, url=db)
    ends = [f.message for f in data.warnings if "kỳ báo cáo kết thúc ngày 14/12/2021" in f.message]
    assert len(ends) == 3  # every system stops on 14/03/2021


def test_a_wrong_rate_fails_the_report_loudly(db, tmp_path, capsys, monkeypatch):
    scope = province(db)
    [row] = query(
        db,
        "select value, numerator, denominator from marts.rpt_cchc_indicators "
        "where report_year = 2021 and scope_level = 'province' "
        "and indicator_code = 'III.7.3'",
    )
    wrong = Decimal(row["value"]) + Decimal("0.54")  # seed 000's error: 99,21% printed 99.75%
    update = (
        "update marts.rpt_cchc_indicators set value = %s where report_year = 2021 "
        "and scope_level = 'province' and scope_code = %s and indicator_code = 'III.7.3'"
    )
    with psycopg.connect(warehouse.conninfo(db), autocommit=True) as conn:
        conn.execute(update, (wrong, scope))
    try:
        with pytest.raises(ReportCheckError, match="III.7.3"):
            write_report(year=2021, out=tmp_path / "bad.xlsx", url=db, pdf=False)
        html = (tmp_path / "bad.html").read_text(encoding="utf-8")
        assert "LỖI KIỂM TRA SỐ LIỆU" in html and 'class="banner error"' in html
        ratio = Decimal(100) * row["numerator"] / row["denominator"]
        assert vn_pct(ratio) in html and vn_pct(wrong) in html
        ws = load_workbook(tmp_path / "bad.xlsx")["Phụ lục"]
        assert any(
            isinstance(c.value, str) and c.value.startswith("LỖI KIỂM TRA SỐ LIỆU")
            for r in ws.iter_rows(max_row=8)
            for c in r
        )
        monkeypatch.setenv("CCHC_WAREHOUSE_URL", db)
        code = cli.main(["report", "--year", "2021", "--out", str(tmp_path / "cli.xlsx")])
        assert code == 1
        assert "check(s) failed" in capsys.readouterr().err
    finally:
        with psycopg.connect(warehouse.conninfo(db), autocommit=True) as conn:
            conn.execute(update, (row["value"], scope))


def test_cli_prints_the_paths(db, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CCHC_WAREHOUSE_URL", db)
    code = cli.main(
        ["report", "--year", "2021", "--period", "2021-02", "--out", str(tmp_path / "t2.xlsx")]
    )
    assert code == 0
    printed = capsys.readouterr().out.split()
    assert printed[:2] == [str(tmp_path / "t2.xlsx"), str(tmp_path / "t2.html")]
    assert all(Path(p).exists() for p in printed)


# ---- rendering in headless Chromium -------------------------------------------------------


@pytest.fixture(scope="module")
def chromium_bin() -> str:
    found = chromium.find_chromium()
    if found is None:
        pytest.fail("headless Chromium is required: `make chromium` (Debian) or set CCHC_CHROMIUM")
    return found


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes): width, height, rows of pixels."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + b) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r[i : i + 3]) for r in rows for i in range(0, stride, bpp)]


def test_html_renders_with_vietnamese_text(chromium_bin, annual):
    dom = chromium.dump_dom(annual["html"])
    assert dom == unicodedata.normalize("NFC", dom)
    for text in (
        "THỐNG KÊ SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH",
        "Tỷ lệ hồ sơ TTHC tiếp nhận được giải quyết đúng hạn",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "từ ngày 15/12/2020 đến ngày 14/12/2021",
        "Hồ sơ tiếp nhận theo tháng và kênh",
        "Văn bản đi theo tháng và hình thức gửi",
    ):
        assert text in dom, text
    assert dom.count("<svg") == 3


def test_screenshot_is_not_blank(chromium_bin, annual, tmp_path):
    png = chromium.screenshot(annual["html"], tmp_path / "shot.png", 1200, 900)
    width, height, pixels = png_pixels(png)
    assert (width, height) == (1200, 900)
    dark = sum(1 for p in pixels if sum(p) < 200)  # text and rules
    colored = len({p for p in pixels})
    assert dark > 0.005 * len(pixels), "the page rendered (almost) no text"
    assert colored > 20, "the page is a flat colour"


def fc_families(pattern: str) -> set[str]:
    listed = subprocess.run(
        ["fc-list", pattern, "family"], capture_output=True, text=True, check=True
    ).stdout
    return {name.strip() for line in listed.splitlines() for name in line.split(",")}


def test_the_first_installed_font_of_the_stack_has_vietnamese_letters(chromium_bin):
    """The browser takes the first installed family of the stack: if it lacked Vietnamese letters
    (fonts-liberation version 1 does), words would mix glyphs of two fonts."""
    families = [f.strip().strip('"') for f in FONT_STACK.split(",")][:-1]
    vietnamese = fc_families(":lang=vi")
    first = next((f for f in families if fc_families(f"{f}") & {f}), None)
    assert first is not None, f"none of {families} is installed"
    assert first in vietnamese, f"{first} has no Vietnamese letters (install fonts-liberation2)"


def test_a_warehouse_without_marts_gives_one_readable_line(fresh_db, tmp_path, capsys):
    code = cli.main(["report", "--year", "2021", "--out", str(tmp_path / "none.xlsx")])
    assert code == 1
    err = capsys.readouterr().err.strip()
    assert err == (
        "cchc report: the warehouse has no marts.rpt_cchc_indicators: load and build it first "
        "(cchc backfill, cchc build)"
    )
    assert not (tmp_path / "none.xlsx").exists()


QUARANTINE_SQL = """
select b.system, sum(f.rows_quarantined) as quarantined
from audit.current_batches as b
join audit.batch_files as f using (batch_id)
where b.status = 'published' and b.export_date between %s and %s
group by b.system
"""


def test_quarantine_counts_of_the_period(db, tmp_path):
    """Two rows of one Q1 file are moved to quarantine (the audit row stays balanced): the report
    counts them for that system and period, and not for the next period."""
    shift = (
        "update audit.batch_files set rows_loaded = rows_loaded - %(n)s, "
        "rows_quarantined = rows_quarantined + %(n)s "
        "where (batch_id, file_name) = (%(batch)s, %(file)s)"
    )
    [target] = query(
        db,
        "select f.batch_id, f.file_name from audit.current_batches as b "
        "join audit.batch_files as f using (batch_id) "
        "where b.system = 'onestop' and b.status = 'published' and b.export_date = %s "
        "and f.rows_loaded >= 2 order by f.file_name limit 1",
        date(2021, 2, 1),
    )
    with psycopg.connect(warehouse.conninfo(db), autocommit=True) as conn:
        conn.execute(shift, {"n": 2, "batch": target["batch_id"], "file": target["file_name"]})
    try:
        expected = {r["system"]: r["quarantined"] for r in query(db, QUARANTINE_SQL, START, END)}
        assert expected["onestop"] >= 2
        paths = write_report(
            year=2021, period="2021-Q1", out=tmp_path / "q.xlsx", url=db, pdf=False
        )
        data = load_report(year=2021, period="2021-Q1", url=db)
        got = {st.system: st.rows_quarantined for st in data.provenance.systems}
        assert got == {s: expected.get(s, 0) for s in got}
        ws = load_workbook(paths[0])["Nguồn và kiểm tra"]
        row = next(r for r in ws.iter_rows() if r[1].value == "onestop")
        assert numeric(row[5]) == expected["onestop"]
        later = load_report(year=2021, period="2021-03", url=db)  # 15/02-14/03: not 01/02
        march = query(db, QUARANTINE_SQL, date(2021, 2, 15), date(2021, 3, 14))
        onestop = next(st for st in later.provenance.systems if st.system == "onestop")
        assert onestop.rows_quarantined == next(
            (r["quarantined"] for r in march if r["system"] == "onestop"), 0
        )
        assert onestop.rows_quarantined <= expected["onestop"] - 2
    finally:
        with psycopg.connect(warehouse.conninfo(db), autocommit=True) as conn:
            conn.execute(shift, {"n": -2, "batch": target["batch_id"], "file": target["file_name"]})
