"""The bulk readers of JSON lines, CSV and XML (pyarrow blocks) read exactly as the line and
element readers: the same records, values, line numbers, rejects with their reasons, and the same
errors, on every defect."""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import pytest
from cchc_warehouse.errors import SourceFormatError
from cchc_warehouse.simulate import generate
from cchc_warehouse.sources import SPECS, Record, read_file
from cchc_warehouse.sources import blocks as blocks_module
from cchc_warehouse.sources.blocks import Block
from cchc_warehouse.sources.formats import MAX_RECORD_BYTES, ReadState

from tests.landing_builder import hoso
from tests.unit.test_sources import XML_EDGE_CASES, xml_doc

HOSO = SPECS[("onestop", "hoso.jsonl")]
WHERE = {"system": "onestop", "export_date": "2021-12-14", "file": "hoso.jsonl"}
DAY = date(2021, 12, 14)


def outcome(path, bulk: bool, encoding: str = "utf-8", spec=HOSO):
    """Every item as (kind, line, ...) with blocks expanded to their records, the read state, and
    the share of records that came in blocks; or the error."""
    state = ReadState()
    out = []
    in_blocks = 0
    try:
        for item in read_file(path, spec, encoding, state, WHERE, bulk=bulk):
            if isinstance(item, Block):
                columns = [a.to_pylist() for a in item.arrays]
                extra = [None] * item.rows if item.extra is None else item.extra.to_pylist()
                out += [
                    (
                        "record",
                        item.line + i,
                        tuple(c[i] for c in columns),
                        extra[i] and json.loads(extra[i]),
                    )
                    for i in range(item.rows)
                ]
                in_blocks += item.rows
            elif isinstance(item, Record):
                out.append(("record", item.line, tuple(item.values), item.extra))
            else:
                out.append(("reject", item.line, item.field, item.reason, item.raw))
    except SourceFormatError as exc:
        return ("error", str(exc)), None
    state.finish(spec)
    kept = (state.records, state.present, state.extra_columns)
    return (out, kept), in_blocks / max(1, state.records)


def line(i: int, **over) -> bytes:
    return json.dumps(
        hoso(f"000.00.16.H60-211214-{i:05d}", DAY, **over), ensure_ascii=False
    ).encode()


# line number -> what replaces the well-formed record there
DEFECTS = {
    7: b"{broken",
    40: b"null",
    41: b"[1, 2]",
    90: line(90, LePhi=15000),
    130: line(130).replace(b'"LePhi": "0"', b'"LePhi": "0\\u0000"'),
    131: line(131, ChuHoSo=unicodedata.normalize("NFD", "Nguyễn Thị Ánh")),
    200: b"",
    201: b"   ",
    250: line(250) + b" " + line(1250),
    300: line(300).replace("Nguyễn".encode(), b"Nguy\xff n"),
    350: b'{"MaHoSo": "' + b"x" * (MAX_RECORD_BYTES + 10) + b'"}',
    400: line(400, MoiThem="thêm"),
    401: b"{}",
    402: line(402, MaLinhVuc=None),
    403: line(403, ChuHoSo='Trần "Tí" \\ Tèo\nxuống dòng, phẩy'),
    404: line(404).replace(b"}", b"}\r"),
    405: json.dumps(dict(reversed(list(hoso("000.00.16.H60-211214-R", DAY).items())))).encode(),
    406: b'{"MaHoSo": "a", "MaHoSo": "b"}',
    407: line(407, ChuHoSo={"ten": "A"}),
    408: line(408, ChuHoSo="\\."),
}


def defect_file(tmp_path, n=1200, bom=False, tail=b"\n"):
    rows = [DEFECTS.get(i, line(i)) for i in range(1, n + 1)]
    data = (b"\xef\xbb\xbf" if bom else b"") + b"\n".join(rows) + tail
    path = tmp_path / "hoso.jsonl"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("segment", [blocks_module.SEGMENT_BYTES, 5000, 700])
def test_every_defect_reads_the_same_in_blocks(tmp_path, monkeypatch, segment):
    monkeypatch.setattr(blocks_module, "SEGMENT_BYTES", segment)
    monkeypatch.setattr(blocks_module, "FIRST_SEGMENT_BYTES", min(segment, 1 << 18))
    path = defect_file(tmp_path)
    bulk, share = outcome(path, True)
    lines, _ = outcome(path, False)
    assert bulk == lines
    records = [r for r in bulk[0] if r[0] == "record"]
    rejects = [r[1] for r in bulk[0] if r[0] == "reject"]
    assert {7, 40, 41, 130, 250, 300, 350, 407} <= set(rejects)
    assert len(records) > 1100
    assert share > 0.7  # most records did come in blocks: the comparison is not line against line


@pytest.mark.parametrize(
    "case",
    ["bom", "last line without newline", "cut short", "empty", "only blank lines", "one line"],
)
def test_file_edges_read_the_same_in_blocks(tmp_path, case):
    if case == "bom":
        path = defect_file(tmp_path, n=300, bom=True)
    elif case == "last line without newline":
        path = defect_file(tmp_path, n=300, tail=b"")
    elif case == "cut short":
        path = defect_file(tmp_path, n=300, tail=b"\n" + line(301)[:-20])
    else:
        path = tmp_path / "hoso.jsonl"
        path.write_bytes({"empty": b"", "only blank lines": b"\n\n  \n", "one line": line(1)}[case])
    bulk, _ = outcome(path, True)
    assert bulk == outcome(path, False)[0]
    if case == "cut short":
        assert bulk[0] == "error" and "cut short" in bulk[1]


def test_a_new_field_comes_in_blocks_as_extra(tmp_path):
    path = tmp_path / "hoso.jsonl"
    odd = 'ký tự "lạ" \\ và\txuống\ndòng'
    rows = [line(i, MaHoSoQG=f"G{i}" if i % 7 else odd) for i in range(1, 3001)]
    rows[100] = line(101)  # one record without it: that run is read line by line
    path.write_bytes(b"\n".join(rows) + b"\n")
    bulk, share = outcome(path, True)
    assert bulk == outcome(path, False)[0]
    assert share > 0.9 and bulk[1][2] == {"MaHoSoQG"}
    assert bulk[0][6][3] == {"MaHoSoQG": odd} and bulk[0][100][3] is None


@pytest.mark.parametrize("value", [15000, True, {"a": "b"}, None])
def test_a_value_of_another_type_on_every_line_is_read_line_by_line_without_endless_halving(
    tmp_path, monkeypatch, value
):
    path = tmp_path / "hoso.jsonl"
    path.write_bytes(b"".join(line(i, MoiThem=value) + b"\n" for i in range(1, 5001)))
    monkeypatch.setattr(blocks_module, "FIRST_SEGMENT_BYTES", blocks_module.SEGMENT_BYTES)
    parses = []
    parse = blocks_module.parse

    def counted(*args):
        parses.append(1)
        return parse(*args)

    monkeypatch.setattr(blocks_module, "parse", counted)
    bulk, share = outcome(path, True)
    assert share == 0 and bulk == outcome(path, False)[0]
    assert bulk[1][2] == {"MoiThem"}
    assert len(parses) == 2  # the file (one segment), then its first lines: the same everywhere


def test_a_field_absent_from_every_line_is_not_present(tmp_path):
    path = tmp_path / "hoso.jsonl"
    records = [hoso(f"A-{i}", DAY) for i in range(200)]
    for r in records:
        del r["NgayTra"]
        r["MaLinhVuc"] = None  # present, but null everywhere
    path.write_bytes(b"".join(json.dumps(r).encode() + b"\n" for r in records))
    bulk, share = outcome(path, True)
    assert share == 1 and bulk == outcome(path, False)[0]
    present = bulk[1][1]
    assert "NgayTra" not in present and "MaLinhVuc" in present


VANBAN = SPECS[("docmgmt", "vanban.csv")]
VANBAN_HEADER = ",".join(f.source for f in VANBAN.fields)


def vanban_line(i: int, trich_yeu: str = "Quyết định về việc phân bổ dự toán") -> str:
    values = {f.source: "" for f in VANBAN.fields}
    values.update(
        ma_van_ban=f"VB-000.00.16.H60-211214-{i:05d}",
        so_ky_hieu=f"{i}/QD-UBND",
        loai_van_ban="QD",
        trich_yeu=trich_yeu,
        huong="DI",
        ma_co_quan="000.00.16.H60",
        ngay_van_ban="14/12/2021",
        ngay_cap_nhat="14/12/2021 07:30:02",
    )
    return ",".join(values.values())


def with_trich_yeu(i: int, raw: str) -> str:
    """A vanban line whose trich_yeu field is written as `raw` (quotes and all)."""
    return vanban_line(i, "\x01").replace("\x01", raw)


CSV_DEFECTS = {
    5: with_trich_yeu(5, '"Về việc A, B và C"'),
    6: with_trich_yeu(6, '"Về ""chuyển đổi số"""'),
    7: with_trich_yeu(7, '"ab"x'),
    8: with_trich_yeu(8, '"a,"x'),
    9: with_trich_yeu(9, 'a"b'),
    70: with_trich_yeu(70, '"dòng một\ndòng hai"'),
    90: with_trich_yeu(90, '"không đóng ngoặc'),
    130: with_trich_yeu(130, "có\x07chuông"),
    131: with_trich_yeu(131, "có\ttab"),
    132: with_trich_yeu(132, unicodedata.normalize("NFD", "Nguyễn Thị Ánh")),
    200: "",
    201: "   ",
    250: vanban_line(250) + ",thừa",
    251: vanban_line(251).rsplit(",", 1)[0],
    300: with_trich_yeu(300, "sai\udcffmã"),
    301: with_trich_yeu(301, '""'),
    302: with_trich_yeu(302, ' "cách"'),
}


def csv_file(tmp_path, n=1500, header=VANBAN_HEADER, bom=True, tail="\n", lines=None):
    rows = lines or [CSV_DEFECTS.get(i, vanban_line(i)) for i in range(1, n + 1)]
    text = header + "\n" + "\n".join(rows) + tail
    path = tmp_path / "vanban.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogateescape"))
    return path


def test_every_csv_defect_reads_the_same_in_blocks(tmp_path):
    path = csv_file(tmp_path)
    bulk, share = outcome(path, True, spec=VANBAN)
    assert bulk == outcome(path, False, spec=VANBAN)[0]
    reasons = " | ".join(r[3] for r in bulk[0] if r[0] == "reject")
    for reason in ("expected 14 fields", "none readable", "control characters", "undecodable"):
        assert reason in reasons
    assert share > 0.7


@pytest.mark.parametrize(
    "case",
    [
        "reordered, extra and missing columns",
        "no bom",
        "last line without newline",
        "cut short",
        "crlf",
        "carriage returns",
        "header only",
        "empty",
    ],
)
def test_csv_file_edges_read_the_same_in_blocks(tmp_path, case):
    if case == "reordered, extra and missing columns":
        names = [f.source for f in VANBAN.fields if f.source != "han_xu_ly"]
        names.reverse()
        lines = []
        for i in range(1, 400):
            values = dict(zip(VANBAN_HEADER.split(","), vanban_line(i).split(","), strict=True))
            lines.append(",".join([values[n] for n in names] + [f'"mới {i}, ""x"""']))
        path = csv_file(tmp_path, header=",".join(names) + ",cot_moi", lines=lines)
    elif case == "no bom":
        path = csv_file(tmp_path, n=300, bom=False)
    elif case == "last line without newline":
        path = csv_file(tmp_path, n=300, tail="")
    elif case == "cut short":
        path = csv_file(tmp_path, n=300, tail="\n" + vanban_line(301)[:30])
    elif case == "crlf":
        path = csv_file(tmp_path, n=1500)
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    elif case == "carriage returns":
        path = csv_file(tmp_path, n=300)
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 100).replace(b"\n", b"\r", 5))
    else:
        path = csv_file(tmp_path, lines=[""] if case == "header only" else [""])
        if case == "empty":
            path.write_bytes(b"")
    bulk, share = outcome(path, True, spec=VANBAN)
    assert bulk == outcome(path, False, spec=VANBAN)[0]
    if case == "reordered, extra and missing columns":
        assert share > 0.9 and bulk[1][2] == {"cot_moi"}
        assert bulk[0][0][3] == {"cot_moi": 'mới 1, "x"'}
    if case == "crlf":
        assert share > 0.7


TRANGTHAI = SPECS[("docmgmt", "trangthai.xml")]


def status(i: int, note: str = "Phân công xử lý", nl: str = "\n", **tags: str) -> str:
    """A record element laid out as the export lays it out, one child per line."""
    values = {
        "MaVanBan": f"VB-000.00.08.H62-211214-{i:04d}",
        "MaCoQuanBaoCao": "000.00.12.H60",
        "MaTrangThai": f"0{i % 6 + 1}",
        "ThoiDiem": "2021-12-14T07:30:00+07:00",
        "GhiChu": f"{note} {i}",
        **tags,
    }
    children = "".join(f"    <{t}>{v}</{t}>{nl}" for t, v in values.items())
    return f"  <TrangThai>{nl}{children}  </TrangThai>{nl}"


XML_BULK_CASES = {
    **XML_EDGE_CASES,
    "entity and character reference": {5: status(5, "A &amp; B &#272;"), 6: status(6, "x > y")},
    "attribute on the record": {5: status(5).replace("<TrangThai>", '<TrangThai loai="1">')},
    "crlf": {i: status(i, nl="\r\n") for i in range(0, 300, 2)},
    "text over two lines": {5: status(5, "dòng một\r\ndòng hai\rba")},
    "spaces around values": {5: status(5, "  có khoảng trắng \t"), 6: status(6, MaVanBan="")},
    "non-ASCII spaces at an edge": {5: status(5, "\u00a0cách"), 6: status(6, "cách\u3000")},
    "non-ASCII space inside": {5: status(5, "cách\u00a0giữa")},
    "self-closed and missing fields": {
        5: status(5).replace("<GhiChu>Phân công xử lý 5</GhiChu>", "<GhiChu/>"),
        6: status(6).replace("    <ThoiDiem>2021-12-14T07:30:00+07:00</ThoiDiem>\n", ""),
    },
    "reordered and extra fields": {
        5: status(5, MoiThem="mới").replace("<TrangThai>", "<TrangThai>\n<Khac>1</Khac>"),
    },
    "decomposed text": {5: status(5, unicodedata.normalize("NFD", "Đã xử lý"))},
    "characters XML refuses": {
        5: status(5, "a\x01b"),
        6: status(6, "\ufffe"),
        7: status(7, "\x7f"),
    },
    "unclosed record": {5: status(5).replace("  </TrangThai>\n", "")},
    "a bad record in every read": {i: status(i, "A & B") for i in range(0, 3000, 700)},
}


def xml_file(tmp_path, case) -> object:
    """A case of test_sources' (a list of elements) or 3000 records with a few replaced."""
    spec = XML_BULK_CASES[case]
    body = spec if isinstance(spec, list) else [spec.get(i) or status(i) for i in range(3000)]
    path = tmp_path / "trangthai.xml"
    path.write_text(xml_doc("\n", *body), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(XML_BULK_CASES))
def test_xml_reads_the_same_in_blocks(tmp_path, case):
    path = xml_file(tmp_path, case)
    bulk, share = outcome(path, True, spec=TRANGTHAI)
    assert bulk == outcome(path, False, spec=TRANGTHAI)[0]
    if isinstance(XML_BULK_CASES[case], dict):
        assert share > 0.95, share  # a bad record costs itself only, not its whole read


def test_undecodable_xml_reads_the_same_in_blocks(tmp_path):
    path = tmp_path / "trangthai.xml"
    text = xml_doc(*(status(i) for i in range(500)))
    path.write_bytes(text.encode().replace("công xử lý 7<".encode(), b"c\xffng<"))
    bulk, share = outcome(path, True, spec=TRANGTHAI)
    assert bulk == outcome(path, False, spec=TRANGTHAI)[0]
    assert [r for r in bulk[0] if r[0] == "reject"][0][1] == 8 and share > 0.9


@pytest.mark.slow
def test_simulated_files_with_every_defect_read_the_same_in_blocks(tmp_path):
    generate(tmp_path, date(2021, 3, 1), date(2021, 3, 10), seed=5, defects="all", warmup_days=20)
    shares = []
    for (system, name), spec in SPECS.items():
        if spec.format not in ("jsonl", "csv", "xml"):
            continue
        files = sorted(tmp_path.glob(f"{system}/*/{name}"))
        assert len(files) >= 8, name
        for path in files:
            manifest = json.loads((path.parent / "manifest.json").read_text())
            encoding = next(e["encoding"] for e in manifest["files"] if e["name"] == name)
            bulk, share = outcome(path, True, encoding, spec)
            assert bulk == outcome(path, False, encoding, spec)[0], path
            if share is not None and name in ("hoso.jsonl", "vanban.csv"):
                shares.append(share)
    assert sum(shares) / len(shares) > 0.5
