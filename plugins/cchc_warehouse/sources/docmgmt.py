"""Document management (VNPT iOffice-like): registers (vanban.csv), recipients, exchange statuses."""

from cchc_warehouse.sources.formats import FileSpec, fields

FILES = (
    FileSpec(
        system="docmgmt",
        name="vanban.csv",
        table="raw.docmgmt_vanban",
        format="csv",
        fields=fields(
            "ma_van_ban! so_ky_hieu loai_van_ban trich_yeu huong! ma_co_quan! ma_co_quan_gui "
            "ngay_van_ban thoi_diem_gui! hinh_thuc_gui! ky_so lien_thong han_xu_ly ngay_cap_nhat!"
        ),
        key=("ma_van_ban", "ma_co_quan", "huong"),
    ),
    FileSpec(
        system="docmgmt",
        name="noinhan.csv",
        table="raw.docmgmt_noinhan",
        format="csv",
        fields=fields("ma_van_ban! ma_co_quan_nhan! thu_tu"),
        key=("ma_van_ban", "ma_co_quan_nhan"),
    ),
    FileSpec(
        system="docmgmt",
        name="trangthai.xml",
        table="raw.docmgmt_trangthai",
        format="xml",
        fields=fields("MaVanBan! MaCoQuanBaoCao! MaTrangThai! ThoiDiem! GhiChu"),
        key=("ma_van_ban", "ma_co_quan_bao_cao", "ma_trang_thai", "thoi_diem"),
        element="TrangThai",
    ),
)
