"""The one-stop-shop (VNPT iGate-like): dossiers (hoso.jsonl) and processing history (quatrinh.csv)."""

from cchc_warehouse.sources.formats import FileSpec, fields

FILES = (
    FileSpec(
        system="onestop",
        name="hoso.jsonl",
        table="raw.onestop_hoso",
        format="jsonl",
        fields=fields(
            "MaHoSo! MaTTHC! MaLinhVuc MaCoQuan! KenhThucHien! LoaiDoiTuong ChuHoSo SoGiayTo "
            "SoDienThoai NgayNopHoSo! NgayTiepNhan! NgayHenTra! NgayKetThucXuLy! NgayTra "
            "HinhThucTra TrangThaiHoSo! DuocThanhToanTrucTuyen LePhi HoSoCoThanhPhanSoHoa "
            "NgayCapNhat!"
        ),
        key=("ma_ho_so",),
    ),
    FileSpec(
        system="onestop",
        name="quatrinh.csv",
        table="raw.onestop_quatrinh",
        format="csv",
        fields=fields("MaHoSo! ThuTu! MaTrangThai! ThoiDiem! MaCoQuanXuLy GhiChu"),
        key=("ma_ho_so", "thu_tu"),
    ),
)
