"""Source file readers: records, rejects with file/line/field, and what fails a whole file."""

from __future__ import annotations

import json
import unicodedata

import pytest
from cchc_warehouse.errors import SchemaBreakError, SourceFormatError
from cchc_warehouse.sources import SPECS, Record, Reject, read_file
from cchc_warehouse.sources.formats import ReadState, snake_case
from openpyxl import Workbook

WHERE = {"system": "t", "export_date": "2021-12-14", "file": "f"}
HOSO = SPECS[("onestop", "hoso.jsonl")]
QUATRINH = SPECS[("onestop", "quatrinh.csv")]
VANBAN = SPECS[("docmgmt", "vanban.csv")]
TRANGTHAI = SPECS[("docmgmt", "trangthai.xml")]
THUTUC = SPECS[("portal", "thutuc.json")]
DANHGIA = SPECS[("portal", "danhgia.xlsx")]


def to_cp1258(text: str) -> bytes:
    """What a Windows-1258 exporter writes: precomposed base letters, tone marks as combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", ch)
            first = unicodedata.normalize("NFC", base + marks[0])
            if len(first) == 1 and len(marks) > 1:
                out.append((first + "".join(marks[1:])).encode("cp1258"))
            else:
                out.append((base + "".join(marks)).encode("cp1258"))
    return b"".join(out)


def read(path, spec, encoding="utf-8"):
    state = ReadState()
    items = list(read_file(path, spec, encoding, state, WHERE))
    return items, state


def hoso(**over) -> dict:
    rec = {f.source: "" for f in HOSO.fields}
    rec.update(
        MaHoSo="000.00.16.H60-211214-0001",
        MaTTHC="1.004227",
        MaCoQuan="000.00.16.H60",
        TrangThaiHoSo="2",
        NgayCapNhat="20211214081000",
    )
    rec.update(over)
    return rec


def test_snake_case_of_source_names():
    assert snake_case("MaHoSo") == "ma_ho_so"
    assert snake_case("MaTTHC") == "ma_tthc"
    assert snake_case("TichHopDVCQG") == "tich_hop_dvcqg"
    assert snake_case("Mức độ hài lòng") == "muc_do_hai_long"
    assert snake_case("ma_van_ban") == "ma_van_ban"


def test_jsonl_records_rejects_and_extra_fields(tmp_path):
    p = tmp_path / "hoso.jsonl"
    lines = [
        json.dumps(hoso(MoiThem="x"), ensure_ascii=False),
        json.dumps(hoso(ChuHoSo={"ten": "A"})),
        "{broken",
        json.dumps([1, 2]),
        json.dumps(
            hoso(ChuHoSo=unicodedata.normalize("NFD", "Nguyễn Thị Ánh")), ensure_ascii=False
        ),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items, state = read(p, HOSO)
    assert [type(i).__name__ for i in items] == ["Record", "Reject", "Reject", "Reject", "Record"]
    assert items[0].extra == {"MoiThem": "x"} and state.extra_columns == {"MoiThem"}
    assert items[1].line == 2 and items[1].field == "ChuHoSo" and "object" in items[1].reason
    assert items[2].line == 3 and "not valid JSON" in items[2].reason
    assert "expected a JSON object" in items[3].reason
    name = items[4].values[HOSO.columns.index("chu_ho_so")]
    assert name == "Nguyễn Thị Ánh" and unicodedata.is_normalized("NFC", name)
    assert state.records == 5


def test_jsonl_truncated_last_line_fails_the_file(tmp_path):
    p = tmp_path / "hoso.jsonl"
    p.write_text(json.dumps(hoso()) + "\n" + json.dumps(hoso())[:40], encoding="utf-8")
    with pytest.raises(SourceFormatError, match="cut short.*line \\(2\\)"):
        read(p, HOSO)


def test_jsonl_binary_garbage_and_huge_line_are_quarantined(tmp_path):
    p = tmp_path / "hoso.jsonl"
    good = json.dumps(hoso()).encode()
    p.write_bytes(
        good
        + b"\n"
        + b"\x00\xff\xfe\x81garbage\n"
        + b'{"x":"'
        + b"a" * (2 << 20)
        + b'"}\n'
        + good
        + b"\n"
    )
    items, state = read(p, HOSO)
    assert [type(i) for i in items] == [Record, Reject, Reject, Record]
    assert "undecodable" in items[1].reason and items[1].line == 2
    assert "exceeds" in items[2].reason and items[2].line == 3 and len(items[2].raw) < 3000
    assert items[3].line == 4


def test_jsonl_required_field_missing_everywhere_is_a_schema_break(tmp_path):
    p = tmp_path / "hoso.jsonl"
    rec = hoso()
    rec["MaHS"] = rec.pop("MaHoSo")
    p.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    with pytest.raises(SchemaBreakError, match="MaHoSo") as err:
        read(p, HOSO)
    assert err.value.field == "MaHoSo"


def test_csv_quoting_wrong_field_count_and_unbalanced_quotes(tmp_path):
    p = tmp_path / "quatrinh.csv"
    p.write_text(
        "MaHoSo,ThuTu,MaTrangThai,ThoiDiem,MaCoQuanXuLy,GhiChu\n"
        'A,1,2,2021-12-14 08:00:00,X,"Tiếp nhận, ""đúng hạn"""\n'
        'A,2,4,2021-12-14 09:00:00,X,"dòng một\ndòng hai"\n'
        "A,3\n"
        '"A,4,5,2021-12-14 10:00:00,X,unbalanced\n'
        "A,5,9,2021-12-14 11:00:00,X,ok\n",
        encoding="utf-8",
    )
    items, state = read(p, QUATRINH)
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Record", "Record", "Reject", "Reject", "Record"]
    assert items[0].values[-1] == 'Tiếp nhận, "đúng hạn"'
    assert items[1].values[-1] == "dòng một\ndòng hai"
    assert items[2].line == 3 and "expected 6 fields, found 2" in items[2].reason
    assert items[3].line == 4 and "unbalanced quotes" in items[3].reason
    assert items[4].line == 5 and items[4].values[1] == "5"
    assert state.records == 5


def test_csv_bom_windows_1258_and_new_column(tmp_path):
    p = tmp_path / "vanban.csv"
    header = ",".join(f.source for f in VANBAN.fields) + ",cot_moi"
    row = "VB1,319/BC-STTTT,BC,Báo cáo kết quả cải cách hành chính,DI,000.00.16.H60,,14/12/2021,14/12/2021 08:30,DIEN_TU,1,1,,14/12/2021 08:30:00,x"
    # Windows-1258 stores tone marks as combining characters
    p.write_bytes(to_cp1258(header + "\r\n" + row + "\r\n"))
    items, state = read(p, VANBAN, encoding="cp1258")
    assert len(items) == 1 and isinstance(items[0], Record)
    assert items[0].values[3] == "Báo cáo kết quả cải cách hành chính"
    assert items[0].extra == {"cot_moi": "x"} and state.extra_columns == {"cot_moi"}
    p.write_bytes(b"\xef\xbb\xbf" + (header + "\n" + row + "\n").encode("utf-8"))
    items, _ = read(p, VANBAN)
    assert items[0].values[0] == "VB1"


def test_csv_missing_required_column_names_it(tmp_path):
    p = tmp_path / "vanban.csv"
    header = ",".join(f.source for f in VANBAN.fields if f.source != "huong")
    p.write_text(header + "\n", encoding="utf-8")
    with pytest.raises(SchemaBreakError, match="required column huong") as err:
        read(p, VANBAN)
    assert err.value.field == "huong"


def test_csv_truncated_last_row_fails_the_file(tmp_path):
    p = tmp_path / "quatrinh.csv"
    p.write_text(
        "MaHoSo,ThuTu,MaTrangThai,ThoiDiem,MaCoQuanXuLy,GhiChu\nA,1,2,2021-12-14 08:00:00,X,ok\nA,2,4,2021-1",
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError, match="cut short"):
        read(p, QUATRINH)


def xml_doc(*elements: str, root_end: bool = True) -> str:
    body = "".join(elements)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<DanhSachTrangThai ngayXuat="2021-12-14">{body}'
        + ("</DanhSachTrangThai>\n" if root_end else "")
    )


def status(doc="VB1", agency="000.00.17.H60", code="03", extra="") -> str:
    return (
        f"<TrangThai><MaVanBan>{doc}</MaVanBan><MaCoQuanBaoCao>{agency}</MaCoQuanBaoCao>"
        f"<MaTrangThai>{code}</MaTrangThai><ThoiDiem>2021-12-14T08:30:00+07:00</ThoiDiem>"
        f"<GhiChu>Đã tiếp nhận</GhiChu>{extra}</TrangThai>\n"
    )


def test_xml_bad_element_is_quarantined_alone(tmp_path):
    p = tmp_path / "trangthai.xml"
    p.write_text(
        xml_doc(
            status(),
            "<TrangThai><MaVanBan>VB2</MaVanBan><oops></TrangThai>\n",
            status(code="06", extra="<Moi>1</Moi>"),
        ),
        encoding="utf-8",
    )
    items, state = read(p, TRANGTHAI)
    assert [type(i) for i in items] == [Record, Reject, Record]
    assert items[1].line == 2 and "bad XML element" in items[1].reason
    assert items[2].values[2] == "06" and items[2].extra == {"Moi": "1"}


def test_xml_external_entity_is_refused_never_resolved(tmp_path):
    p = tmp_path / "trangthai.xml"
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        "<DanhSachTrangThai><TrangThai><MaVanBan>&xxe;</MaVanBan></TrangThai></DanhSachTrangThai>\n"
    )
    with pytest.raises(SourceFormatError, match="DTD or entities"):
        read(p, TRANGTHAI)


def test_xml_cut_short_fails_the_file(tmp_path):
    p = tmp_path / "trangthai.xml"
    p.write_text(xml_doc(status(), status(), root_end=False)[:-30], encoding="utf-8")
    with pytest.raises(SourceFormatError, match="cut short"):
        read(p, TRANGTHAI)


def test_json_snapshot_booleans_lists_and_nested_objects(tmp_path):
    p = tmp_path / "thutuc.json"
    base = {
        "MaTTHC": "1.004227",
        "TenTTHC": "Cấp giấy phép",
        "CoQuanThucHien": ["000.00.16.H60", "000.00.17.H60"],
        "MucDo": "TOAN_TRINH",
        "TichHopDVCQG": True,
        "HieuLuc": False,
        "ThoiHanNgay": 5,
    }
    bad = dict(base, TenTTHC={"vi": "x"})
    p.write_text(json.dumps([base, bad], ensure_ascii=False), encoding="utf-8")
    items, _ = read(p, THUTUC)
    rec = dict(zip(THUTUC.columns, items[0].values, strict=False))
    assert rec["co_quan_thuc_hien"] == '["000.00.16.H60", "000.00.17.H60"]'
    assert (
        rec["tich_hop_dvcqg"] == "true"
        and rec["hieu_luc"] == "false"
        and rec["thoi_han_ngay"] == "5"
    )
    assert isinstance(items[1], Reject) and items[1].line == 2 and items[1].field == "TenTTHC"


def test_json_snapshot_cut_short_fails(tmp_path):
    p = tmp_path / "thutuc.json"
    p.write_text('[{"MaTTHC": "1.004227"}, {"MaTT', encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not a valid JSON document"):
        read(p, THUTUC)


def test_xlsx_dates_formulas_and_headers(tmp_path):
    from datetime import datetime

    p = tmp_path / "danhgia.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "DanhGia"
    ws.append(["Mã hồ sơ", "Kênh đánh giá", "Mức độ hài lòng", "Thời điểm"])
    ws.append(["HS1", "Cổng DVC", "Rất hài lòng", datetime(2021, 12, 14, 9, 30)])
    ws.append(["HS2", "Cổng DVC", '=IF(1,"Hài lòng","")', datetime(2021, 12, 14, 10, 0)])
    ws.append([None, None, None, None])
    ws.append(["HS3", "Kiosk", "Hài lòng", 44544.5])
    wb.save(p)
    items, state = read(p, DANHGIA)
    assert [type(i) for i in items] == [Record, Reject, Record]
    assert items[0].values == ["HS1", "Cổng DVC", "Rất hài lòng", "2021-12-14 09:30:00"]
    assert (
        items[1].line == 2 and items[1].field == "Mức độ hài lòng" and "formula" in items[1].reason
    )
    assert items[2].values[3] == "44544.5"


def test_xlsx_damaged_workbook_fails(tmp_path):
    p = tmp_path / "danhgia.xlsx"
    p.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceFormatError, match="not a readable .xlsx"):
        read(p, DANHGIA)


def test_xml_root_end_split_across_reads_is_not_lost(tmp_path):
    from cchc_warehouse.sources.formats import XML_TAIL

    p = tmp_path / "trangthai.xml"
    head = xml_doc(status(), root_end=False)
    # pad so that the 64 KiB read boundary falls inside the closing root tag
    pad = (1 << 16) - len(head.encode()) - 15  # 15 characters of the tag before the boundary
    text = head + " " * pad + "</DanhSachTrangThai>\n"
    assert len("</DanhSachTrangThai>") < XML_TAIL
    p.write_text(text, encoding="utf-8")
    items, _ = read(p, TRANGTHAI)
    assert len(items) == 1 and isinstance(items[0], Record)


def test_nul_characters_and_undecodable_bytes_never_reach_copy(tmp_path):
    """PostgreSQL text cannot hold NUL, and COPY cannot encode lone surrogates: such records are
    quarantined, and the quarantine's raw text is made printable."""
    p = tmp_path / "quatrinh.csv"
    p.write_bytes(
        b"MaHoSo,ThuTu,MaTrangThai,ThoiDiem,MaCoQuanXuLy,GhiChu\n"
        b"A,1,2,2021-12-14 08:00:00,X,ok\x00\n"
        b"A,2,2,2021-12-14 08:00:00,X,\xff\xfe bad\n"
        b"A,3,2,2021-12-14 08:00:00,X,ok\n"
    )
    items, _ = read(p, QUATRINH)
    assert [type(i) for i in items] == [Reject, Reject, Record]
    for r in items[:2]:
        r.raw.encode("utf-8")  # printable: no lone surrogates
        assert "\x00" not in r.raw
    j = tmp_path / "hoso.jsonl"
    j.write_text(
        json.dumps(hoso(GhiChu="x")) + "\n" + json.dumps(hoso(ChuHoSo="a\x00b")) + "\n",
        encoding="utf-8",
    )
    items, _ = read(j, HOSO)
    assert isinstance(items[0], Record) and isinstance(items[1], Reject)
    assert items[1].field == "ChuHoSo" and "NUL" in items[1].reason


def _status_line(i: int, note: str = "Đã tiếp nhận") -> str:
    return (
        f"<TrangThai><MaVanBan>VB{i}</MaVanBan><MaCoQuanBaoCao>CQ</MaCoQuanBaoCao>"
        f"<MaTrangThai>0{i % 9}</MaTrangThai><ThoiDiem>2020-12-16T07:30:0{i % 10}</ThoiDiem>"
        f"<GhiChu>{note} {i}</GhiChu></TrangThai>\n"
    )


XML_EDGE_CASES = {
    "bad ampersand among good records": [
        _status_line(0),
        _status_line(1, "A & B"),
        _status_line(2),
    ],
    "comment between records": [_status_line(0), "<!-- ghi chú -->\n", _status_line(1)],
    "CDATA in a field": [_status_line(0, "<![CDATA[x < y]]>"), _status_line(1)],
    "self-closed record": [_status_line(0), "<TrangThai/>\n", _status_line(1)],
    "nested record": [
        _status_line(0),
        "<TrangThai><MaVanBan>VB9<TrangThai>x</TrangThai></MaVanBan></TrangThai>\n",
        _status_line(1),
    ],
    "other element between records": [_status_line(0), "<Khac>1</Khac>\n", _status_line(1)],
    "decomposed (NFD) text": [_status_line(0, unicodedata.normalize("NFD", "Đã xử lý"))],
    "control character": [_status_line(0, "a\x01b"), _status_line(1)],
    "namespaced field": [
        _status_line(0)
        .replace("<GhiChu>", '<x:GhiChu xmlns:x="urn:x">')
        .replace("</GhiChu>", "</x:GhiChu>")
    ],
    "many records": [_status_line(i) for i in range(500)],
}


@pytest.mark.parametrize("case", sorted(XML_EDGE_CASES))
def test_xml_fast_span_reads_exactly_as_the_element_by_element_reader(tmp_path, monkeypatch, case):
    """The C-parser span path is an optimisation only: records, rejects (line, field, reason,
    raw text) and errors are those of the element-by-element defusedxml reader."""
    from cchc_warehouse.sources import formats

    p = tmp_path / "trangthai.xml"
    p.write_text(xml_doc(*XML_EDGE_CASES[case]), encoding="utf-8")

    def outcome():
        try:
            items, state = read(p, TRANGTHAI)
        except SourceFormatError as exc:
            return ("error", str(exc))
        return [
            (
                type(i).__name__,
                i.line,
                *(
                    (tuple(i.values), i.extra)
                    if isinstance(i, Record)
                    else (i.field, i.reason, i.raw)
                ),
            )
            for i in items
        ], state.records

    span = formats._xml_span
    spans_taken = []

    def counted(*args):
        records = span(*args)
        spans_taken.append(records is not None)
        return records

    monkeypatch.setattr(formats, "_xml_span", counted)
    fast = outcome()
    if case == "many records":
        assert any(spans_taken)  # the fast path did read them
    monkeypatch.setattr(formats, "_xml_span", lambda *args: None)  # every span read one by one
    assert fast == outcome()
