"""The files each system exports (source-contracts.md) and the simulator's row type.

A `Row` is one data record before rendering: its field values as the source would write them
(strings; a datetime for the xlsx time cell) and a `hook`, the record's meaning for the ground
truth (None when the truth does not need it). The defect layer edits `values`, never `hook`:
rendering defects (messy codes, NFD, null-date spellings) do not change what a record means.
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEMS = ("onestop", "docmgmt", "portal")


class Row:
    """One record. `tags`: state-level defects it shows (set by the simulations); `notes`: the
    defect instances recorded for it in a delivered file; `corrupt`: how it is written broken
    (None | badjson | bytes | fields | badxml | formula)."""

    __slots__ = ("values", "hook", "tags", "corrupt", "notes")

    def __init__(
        self,
        values: list | dict,
        hook: tuple | None = None,
        tags: list | None = None,
        corrupt: str | None = None,
        notes: list | None = None,
    ) -> None:
        self.values = values
        self.hook = hook
        self.tags = tags
        self.corrupt = corrupt
        self.notes = notes


@dataclass(frozen=True)
class FileDef:
    system: str
    name: str
    format: str  # jsonl | csv | xml | json | xlsx
    columns: tuple[str, ...]
    bom: bool = False
    code_columns: tuple[int, ...] = ()  # agency / procedure / field codes (messy_codes)
    text_columns: tuple[int, ...] = ()  # Vietnamese free text (NFD, Windows-1258)
    null_date_columns: tuple[int, ...] = ()  # dates a source may write as 00000000000000
    snapshot: bool = False


HOSO = FileDef(
    "onestop",
    "hoso.jsonl",
    "jsonl",
    (
        "MaHoSo",
        "MaTTHC",
        "MaLinhVuc",
        "MaCoQuan",
        "KenhThucHien",
        "LoaiDoiTuong",
        "ChuHoSo",
        "SoGiayTo",
        "SoDienThoai",
        "NgayNopHoSo",
        "NgayTiepNhan",
        "NgayHenTra",
        "NgayKetThucXuLy",
        "NgayTra",
        "HinhThucTra",
        "TrangThaiHoSo",
        "DuocThanhToanTrucTuyen",
        "LePhi",
        "HoSoCoThanhPhanSoHoa",
        "NgayCapNhat",
    ),  # fmt: skip
    code_columns=(1, 2, 3),
    text_columns=(6,),
    null_date_columns=(10, 11, 12, 13),
)
QUATRINH = FileDef(
    "onestop",
    "quatrinh.csv",
    "csv",
    ("MaHoSo", "ThuTu", "MaTrangThai", "ThoiDiem", "MaCoQuanXuLy", "GhiChu"),
    code_columns=(4,),
    text_columns=(5,),
)
VANBAN = FileDef(
    "docmgmt",
    "vanban.csv",
    "csv",
    (
        "ma_van_ban",
        "so_ky_hieu",
        "loai_van_ban",
        "trich_yeu",
        "huong",
        "ma_co_quan",
        "ma_co_quan_gui",
        "ngay_van_ban",
        "thoi_diem_gui",
        "hinh_thuc_gui",
        "ky_so",
        "lien_thong",
        "han_xu_ly",
        "ngay_cap_nhat",
    ),  # fmt: skip
    bom=True,
    code_columns=(6,),  # the sender of a DEN row; ma_co_quan is part of the row's key
    text_columns=(3,),
)
NOINHAN = FileDef(
    "docmgmt", "noinhan.csv", "csv", ("ma_van_ban", "ma_co_quan_nhan", "thu_tu"), bom=True
)
TRANGTHAI = FileDef(
    "docmgmt",
    "trangthai.xml",
    "xml",
    ("MaVanBan", "MaCoQuanBaoCao", "MaTrangThai", "ThoiDiem", "GhiChu"),
    text_columns=(4,),
)
COQUAN = FileDef(
    "portal",
    "coquan.json",
    "json",
    (
        "MaCoQuan",
        "TenCoQuan",
        "Cap",
        "MaCoQuanCha",
        "MaDonViHanhChinh",
        "HieuLucTu",
        "HieuLucDen",
        "MaCoQuanKeThua",
    ),  # fmt: skip
    text_columns=(1,),
    snapshot=True,
)
THUTUC = FileDef(
    "portal",
    "thutuc.json",
    "json",
    (
        "MaTTHC",
        "TenTTHC",
        "MaLinhVuc",
        "TenLinhVuc",
        "CapThucHien",
        "CoQuanThucHien",
        "MucDo",
        "TichHopDVCQG",
        "CoPhiLePhi",
        "ThanhToanTrucTuyen",
        "CoBCCI",
        "ThoiHanNgay",
        "HieuLuc",
        "NgayCongBo",
    ),  # fmt: skip
    text_columns=(1, 3),
    snapshot=True,
)
THANHTOAN = FileDef(
    "portal",
    "thanhtoan.csv",
    "csv",
    ("ma_giao_dich", "ma_ho_so", "so_tien", "kenh", "trang_thai", "thoi_diem"),
)
DANHGIA = FileDef(
    "portal",
    "danhgia.xlsx",
    "xlsx",
    ("Mã hồ sơ", "Kênh đánh giá", "Mức độ hài lòng", "Thời điểm"),
    text_columns=(1, 2),
)

FILES: dict[str, tuple[FileDef, ...]] = {
    "onestop": (HOSO, QUATRINH),
    "docmgmt": (VANBAN, NOINHAN, TRANGTHAI),
    "portal": (COQUAN, THUTUC, THANHTOAN, DANHGIA),
}
ALL_FILES: tuple[FileDef, ...] = tuple(f for fs in FILES.values() for f in fs)
BY_NAME: dict[str, FileDef] = {f.name: f for f in ALL_FILES}
