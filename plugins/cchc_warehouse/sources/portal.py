"""The public-service portal: agency directory, procedure catalogue, payments, ratings."""

from cchc_warehouse.sources.formats import FileSpec, fields

FILES = (
    FileSpec(
        system="portal",
        name="coquan.json",
        table="raw.portal_coquan",
        format="json",
        fields=fields(
            "MaCoQuan! TenCoQuan! Cap! MaCoQuanCha MaDonViHanhChinh HieuLucTu HieuLucDen "
            "MaCoQuanKeThua"
        ),
        key=("ma_co_quan",),
    ),
    FileSpec(
        system="portal",
        name="thutuc.json",
        table="raw.portal_thutuc",
        format="json",
        fields=fields(
            "MaTTHC! TenTTHC! MaLinhVuc TenLinhVuc CapThucHien CoQuanThucHien! MucDo! TichHopDVCQG "
            "CoPhiLePhi ThanhToanTrucTuyen CoBCCI ThoiHanNgay HieuLuc! NgayCongBo"
        ),
        key=("ma_tthc",),
    ),
    FileSpec(
        system="portal",
        name="thanhtoan.csv",
        table="raw.portal_thanhtoan",
        format="csv",
        fields=fields("ma_giao_dich! ma_ho_so! so_tien! kenh trang_thai! thoi_diem!"),
        key=("ma_giao_dich",),
    ),
    FileSpec(
        system="portal",
        name="danhgia.xlsx",
        table="raw.portal_danhgia",
        format="xlsx",
        fields=fields("Mã_hồ_sơ! Kênh_đánh_giá Mức_độ_hài_lòng! Thời_điểm!"),
        key=("ma_ho_so", "thoi_diem"),
        sheet="DanhGia",
    ),
)
