"""raw.onestop_hoso (hoso.jsonl): one row per exported dossier version."""

from __future__ import annotations

from great_expectations.expectations import Expectation

from .common import (
    DOSSIER,
    EVENT_VOLUME_BAND,
    PROCEDURE,
    YMDHMS,
    YMDHMS_SHAPES,
    agency_codes,
    code_set,
    date_shapes,
    dates,
    flags,
    matches,
    normalised,
    required,
    structure,
    volume,
)

TABLE = "raw.onestop_hoso"
SYSTEM = "onestop"
FILE = "hoso.jsonl"
COLUMNS: tuple[str, ...] = (
    "ma_ho_so",
    "ma_tthc",
    "ma_linh_vuc",
    "ma_co_quan",
    "kenh_thuc_hien",
    "loai_doi_tuong",
    "chu_ho_so",
    "so_giay_to",
    "so_dien_thoai",
    "ngay_nop_ho_so",
    "ngay_tiep_nhan",
    "ngay_hen_tra",
    "ngay_ket_thuc_xu_ly",
    "ngay_tra",
    "hinh_thuc_tra",
    "trang_thai_ho_so",
    "duoc_thanh_toan_truc_tuyen",
    "le_phi",
    "ho_so_co_thanh_phan_so_hoa",
    "ngay_cap_nhat",
)
KEYS: tuple[str, ...] = ("ma_ho_so",)
VOLUME_BAND = EVENT_VOLUME_BAND
STATUSES = tuple(str(i) for i in range(1, 11))


def expectations() -> list[Expectation]:
    return [
        *structure(TABLE, COLUMNS, KEYS),
        volume(TABLE, VOLUME_BAND),
        *required(("ma_tthc", "ma_co_quan", "trang_thai_ho_so", "ngay_nop_ho_so", "ngay_cap_nhat")),
        matches("ma_ho_so", normalised(DOSSIER), "MaHoSo form <agency>-<yymmdd>-<4 digits>"),
        matches("ma_tthc", normalised(PROCEDURE), "procedure code form d.dddddd"),
        *agency_codes("ma_co_quan", as_exported=True),
        code_set("kenh_thuc_hien", ("1", "2", "3"), "channel 1 in person, 2 online, 3 BCCI"),
        code_set("loai_doi_tuong", ("1", "2", "3"), "applicant type", empty=True),
        code_set("trang_thai_ho_so", STATUSES, "dossier status 1-10"),
        code_set("hinh_thuc_tra", ("0", "1"), "return by 0 in person/online, 1 post", empty=True),
        *flags(("duoc_thanh_toan_truc_tuyen", "ho_so_co_thanh_phan_so_hoa")),
        matches("le_phi", r"^\s*[0-9]*\s*$", "fee is an integer number of VND"),
        *dates(("ngay_nop_ho_so", "ngay_cap_nhat"), YMDHMS, "date yyyyMMddHHmmss"),
        # the largest table: the optional dates get the cheap shape check (see date_shapes)
        *date_shapes(
            ("ngay_tiep_nhan", "ngay_hen_tra", "ngay_ket_thuc_xu_ly", "ngay_tra"),
            YMDHMS_SHAPES,
            "date shaped yyyyMMddHHmmss, 00000000000000 or empty",
        ),
    ]
