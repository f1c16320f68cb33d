"""Write small, exact landing folders for tests (independent of the simulator)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from cchc_warehouse.sources import SPECS, SYSTEM_FILES
from openpyxl import Workbook


def hoso(ma: str, day: date, **over) -> dict:
    rec = {f.source: "" for f in SPECS[("onestop", "hoso.jsonl")].fields}
    stamp = day.strftime("%Y%m%d") + "080000"
    rec.update(
        MaHoSo=ma,
        MaTTHC="1.004227",
        MaLinhVuc="LV01",
        MaCoQuan="000.00.16.H60",
        KenhThucHien="1",
        LoaiDoiTuong="1",
        ChuHoSo="Nguyễn Văn An",
        SoGiayTo="094123456789",
        SoDienThoai="0912345678",
        NgayNopHoSo=stamp,
        NgayTiepNhan=stamp,
        NgayHenTra=(day + timedelta(days=3)).strftime("%Y%m%d") + "170000",
        TrangThaiHoSo="2",
        LePhi="0",
        NgayCapNhat=stamp,
    )
    rec.update(over)
    return rec


def csv_bytes(
    header: list[str], rows: list[list[str]], bom: bool = False, encoding: str = "utf-8"
) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    data = buf.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def empty_file(system: str, name: str) -> bytes:
    spec = SPECS[(system, name)]
    header = [f.source for f in spec.fields]
    if spec.format == "csv":
        return csv_bytes(header, [], bom=system == "docmgmt")
    if spec.format == "jsonl":
        return b""
    if spec.format == "json":
        return b"[]"
    if spec.format == "xml":
        return b'<?xml version="1.0" encoding="UTF-8"?>\n<DanhSachTrangThai></DanhSachTrangThai>\n'
    wb = Workbook()
    ws = wb.active
    ws.title = spec.sheet
    ws.append(header)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_day(
    landing: Path,
    system: str,
    day: date,
    files: dict[str, bytes] | None = None,
    *,
    rows: dict[str, int] | None = None,
    generated_at: datetime | None = None,
    encodings: dict[str, str] | None = None,
    manifest: bool = True,
    sha_override: dict[str, str] | None = None,
) -> Path:
    """A day folder with the given file contents (others empty) and a correct manifest unless told."""
    folder = landing / system / day.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(files or {})
    for name in SYSTEM_FILES[system]:
        files.setdefault(name, empty_file(system, name))
    entries = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        entries.append(
            {
                "name": name,
                "rows": (rows or {}).get(name, count_rows(system, name, data)),
                "sha256": (sha_override or {}).get(name, hashlib.sha256(data).hexdigest()),
                "encoding": (encodings or {}).get(name, "utf-8"),
            }
        )
    if manifest:
        generated = generated_at or datetime.combine(
            day + timedelta(days=1), datetime.min.time()
        ).replace(hour=1)
        (folder / "manifest.json").write_text(
            json.dumps(
                {
                    "system": system,
                    "export_date": day.isoformat(),
                    "province_code": "94",
                    "generated_at": generated.isoformat() + "+07:00",
                    "files": entries,
                }
            )
        )
    return folder


def count_rows(system: str, name: str, data: bytes) -> int:
    fmt = SPECS[(system, name)].format
    if fmt == "jsonl":
        return sum(1 for line in data.splitlines() if line.strip())
    if fmt == "csv":
        return max(0, len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) - 1)
    if fmt == "json":
        return len(json.loads(data))
    if fmt == "xml":
        return data.count(b"<TrangThai>")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data), read_only=True).active
    return max(0, sum(1 for r in ws.iter_rows() if any(c.value is not None for c in r)) - 1)


def jsonl(records: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
