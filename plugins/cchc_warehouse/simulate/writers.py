"""Render rows into the exact bytes of each export file, and write day folders with manifests.

Everything here is deterministic: no clock, no random, xlsx archives re-zipped with fixed
timestamps. Corrupt records (defect class `corrupt_records`) are rendered here too, because how a
record is broken is a matter of bytes: an unescaped quote in a JSON line, a CSV row with a bare
comma, bytes that no encoding decodes, an XML element with a raw `&`, a formula in a sheet cell.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from cchc_warehouse.simulate.schema import FileDef, Row

BAD_BYTES = b"\x81\x8d\x9d"  # undefined in UTF-8 (lone continuation bytes) and in Windows-1258
CP1258 = "windows-1258"
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


OutRow = Row  # a record as it will be written (values after rendering defects)


@dataclass
class Rendered:
    name: str
    data: bytes
    rows: int  # data records physically present
    encoding: str  # what the manifest declares


# ----------------------------------------------------------------- Windows-1258
@lru_cache(maxsize=4096)
def _cp1258_char(ch: str) -> bytes:
    try:
        return ch.encode("cp1258")
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", ch)
    base = decomposed[0]
    marks = decomposed[1:]
    # compose the base with its non-tone marks (â, ê, ô, ơ, ư, ă exist in cp1258); tone marks
    # stay combining characters, which is how Windows-1258 writes Vietnamese
    shape = "".join(m for m in marks if m not in TONE_MARKS)
    tones = "".join(m for m in marks if m in TONE_MARKS)
    head = unicodedata.normalize("NFC", base + shape)
    return (head + tones).encode("cp1258")


def _cp1258_table() -> dict[int, str]:
    """Characters Windows-1258 lacks precomposed -> base (+ shape mark) + combining tone mark."""
    table = {}
    for cp in (*range(0xC0, 0x250), *range(0x1EA0, 0x1F00)):
        ch = chr(cp)
        try:
            ch.encode("cp1258")
        except UnicodeEncodeError:
            try:
                table[cp] = _cp1258_char(ch).decode("cp1258")
            except UnicodeEncodeError:
                continue  # not Vietnamese: left for the encoder to refuse
    return table


_CP1258_TABLE = _cp1258_table()


def encode_cp1258(text: str) -> bytes:
    """Vietnamese text as a Windows-1258 exporter writes it (decoding + NFC gives it back)."""
    if text.isascii():
        return text.encode("ascii")
    return unicodedata.normalize("NFC", text).translate(_CP1258_TABLE).encode("cp1258")


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# ------------------------------------------------------------------- renderers
def render_jsonl(fd: FileDef, columns: tuple[str, ...], rows: list[OutRow]) -> bytes:
    out = bytearray()
    dumps = json.dumps
    for r in rows:
        line = dumps(dict(zip(columns, r.values, strict=True)), ensure_ascii=False)
        if r.corrupt == "badjson":
            line = _unescaped_quote(line)
        data = line.encode("utf-8")
        if r.corrupt == "bytes":
            data = _insert_bad_bytes(data)
        out += data
        out += b"\n"
    return bytes(out)


def _unescaped_quote(line: str) -> str:
    """A name typed with quotes the exporter forgot to escape: `"ChuHoSo": "Lê "Út" Văn"`."""
    m = re.search(r'"(ChuHoSo|TenTTHC|GhiChu)": "([^"]*)"', line)
    if m is None:
        return line[:-1] + ', "GhiChu": "thiếu dấu đóng'  # no closing brace, but not the last line
    start, end = m.span(2)
    words = m.group(2).split(" ")
    words[len(words) // 2] = f'"{words[len(words) // 2]}"'
    return line[:start] + " ".join(words) + line[end:]


def _insert_bad_bytes(data: bytes) -> bytes:
    cut = data.find(b'", "', len(data) // 3)
    cut = cut if cut > 0 else len(data) // 2
    return data[:cut] + BAD_BYTES + data[cut:]


def _csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()


def render_csv_text(fd: FileDef, columns: tuple[str, ...], rows: list[OutRow]) -> list[str]:
    """CSV lines (RFC 4180, CRLF): header first; corrupt rows broken as the defect says."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    lines = [buf.getvalue()]
    text_cols = [i for i in fd.text_columns if i < len(columns)]
    for r in rows:
        buf.seek(0)
        buf.truncate()
        if r.corrupt == "fields":
            # a free-text field with a comma the exporter did not quote (or a field missing)
            vals = [str(v).replace('"', "") for v in r.values]
            if text_cols:
                vals[text_cols[0]] += ", chuyển bộ phận khác"
            else:
                vals = vals[:-1]
            lines.append(",".join(vals) + "\r\n")
            continue
        w.writerow(r.values)
        lines.append(buf.getvalue())
    return lines


def render_csv(
    fd: FileDef, columns: tuple[str, ...], rows: list[OutRow], *, cp1258: bool = False
) -> bytes:
    lines = render_csv_text(fd, columns, rows)
    out = bytearray()
    if fd.bom and not cp1258:
        out += b"\xef\xbb\xbf"
    for i, line in enumerate(lines):
        data = encode_cp1258(line) if cp1258 else line.encode("utf-8")
        if i > 0 and rows[i - 1].corrupt == "bytes":
            data = _insert_bad_bytes_csv(data)
        out += data
    return bytes(out)


def _insert_bad_bytes_csv(data: bytes) -> bytes:
    cut = data.rfind(b",")
    cut = cut + 1 if cut > 0 else len(data) // 2
    return data[:cut] + BAD_BYTES + data[cut:]


def render_xml(export_date: str, rows: list[OutRow], columns: tuple[str, ...]) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<DanhSachTrangThai ngayXuat="{export_date}">\n',
    ]
    template = (
        "  <TrangThai>\n"
        + "".join(f"    <{name}>{{}}</{name}>\n" for name in columns)
        + "  </TrangThai>\n"
    )
    note_at = columns.index("GhiChu") if "GhiChu" in columns else -1
    for r in rows:
        values = [escape(str(v)) for v in r.values]
        if r.corrupt == "badxml" and note_at >= 0:
            values[note_at] = f"{r.values[note_at]} & chuyển <lưu trữ"  # raw & and <: not XML
        parts.append(template.format(*values))
    parts.append("</DanhSachTrangThai>\n")
    return "".join(parts).encode("utf-8")


def render_json_array(objs: list[dict]) -> bytes:
    if not objs:
        return b"[]\n"
    body = ",\n".join(json.dumps(o, ensure_ascii=False) for o in objs)
    return ("[\n" + body + "\n]\n").encode("utf-8")


XLSX_EPOCH = (2020, 1, 1, 0, 0, 0)


def render_xlsx(columns: tuple[str, ...], rows: list[OutRow], stamp: datetime) -> bytes:
    """danhgia.xlsx via openpyxl's write-only mode, then re-zipped so the bytes are reproducible
    (openpyxl stamps the save time into docProps/core.xml and the zip entries)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    wb.properties.creator = "cchc-simulator"
    wb.properties.created = stamp
    ws = wb.create_sheet("DanhGia")
    ws.append(list(columns))
    for r in rows:
        values = list(r.values)
        if r.corrupt == "formula":
            values[-1] = "=NOW()"
        cells = []
        for v in values:
            if isinstance(v, datetime):
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "dd/mm/yyyy hh:mm:ss"
                cells.append(c)
            else:
                cells.append(v)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return _rezip(buf.getvalue(), stamp)


_CORE_TIME = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _rezip(data: bytes, stamp: datetime) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIME.sub(rb"\g<1>" + iso + rb"\g<2>", content)
            zi = zipfile.ZipInfo(info.filename, date_time=XLSX_EPOCH)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, content)
    return out.getvalue()


# -------------------------------------------------------------------- manifest
def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def local_iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + "+07:00"


def manifest(
    system: str,
    export_date: date,
    province_code: str,
    generated_at: datetime,
    files: list[dict],
) -> bytes:
    start = datetime(export_date.year, export_date.month, export_date.day)
    doc = {
        "system": system,
        "export_date": export_date.isoformat(),
        "province_code": province_code,
        "generated_at": local_iso(generated_at),
        "window": {"from": local_iso(start), "to": local_iso(start + timedelta(days=1))},
        "files": files,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_day(folder: Path, files: list[tuple[str, bytes]], manifest_bytes: bytes) -> int:
    """Write the data files, then manifest.json last (a folder without it is still being
    written). Returns the bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    total = 0
    for name, data in files:
        (folder / name).write_bytes(data)
        total += len(data)
    (folder / "manifest.json").write_bytes(manifest_bytes)
    return total + len(manifest_bytes)
