-- Raw tables: one per source file, every field as text exactly as exported (NFC), plus the
-- load columns. Unknown new fields are kept in _extra (schema drift). Written only by load.py.
-- Column names are the source's field names in snake_case (MaHoSo -> ma_ho_so); staging renames them.

create table if not exists raw.onestop_hoso (
    ma_ho_so text,
    ma_tthc text,
    ma_linh_vuc text,
    ma_co_quan text,
    kenh_thuc_hien text,
    loai_doi_tuong text,
    chu_ho_so text,
    so_giay_to text,
    so_dien_thoai text,
    ngay_nop_ho_so text,
    ngay_tiep_nhan text,
    ngay_hen_tra text,
    ngay_ket_thuc_xu_ly text,
    ngay_tra text,
    hinh_thuc_tra text,
    trang_thai_ho_so text,
    duoc_thanh_toan_truc_tuyen text,
    le_phi text,
    ho_so_co_thanh_phan_so_hoa text,
    ngay_cap_nhat text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists onestop_hoso_batch on raw.onestop_hoso (_batch_id);
comment on table raw.onestop_hoso is 'hoso.jsonl as exported, one row per data record.';

create table if not exists raw.onestop_quatrinh (
    ma_ho_so text,
    thu_tu text,
    ma_trang_thai text,
    thoi_diem text,
    ma_co_quan_xu_ly text,
    ghi_chu text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists onestop_quatrinh_batch on raw.onestop_quatrinh (_batch_id);
comment on table raw.onestop_quatrinh is 'quatrinh.csv as exported, one row per data record.';

create table if not exists raw.docmgmt_vanban (
    ma_van_ban text,
    so_ky_hieu text,
    loai_van_ban text,
    trich_yeu text,
    huong text,
    ma_co_quan text,
    ma_co_quan_gui text,
    ngay_van_ban text,
    thoi_diem_gui text,
    hinh_thuc_gui text,
    ky_so text,
    lien_thong text,
    han_xu_ly text,
    ngay_cap_nhat text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists docmgmt_vanban_batch on raw.docmgmt_vanban (_batch_id);
comment on table raw.docmgmt_vanban is 'vanban.csv as exported, one row per data record.';

create table if not exists raw.docmgmt_noinhan (
    ma_van_ban text,
    ma_co_quan_nhan text,
    thu_tu text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists docmgmt_noinhan_batch on raw.docmgmt_noinhan (_batch_id);
comment on table raw.docmgmt_noinhan is 'noinhan.csv as exported, one row per data record.';

create table if not exists raw.docmgmt_trangthai (
    ma_van_ban text,
    ma_co_quan_bao_cao text,
    ma_trang_thai text,
    thoi_diem text,
    ghi_chu text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists docmgmt_trangthai_batch on raw.docmgmt_trangthai (_batch_id);
comment on table raw.docmgmt_trangthai is 'trangthai.xml as exported, one row per data record.';

create table if not exists raw.portal_coquan (
    ma_co_quan text,
    ten_co_quan text,
    cap text,
    ma_co_quan_cha text,
    ma_don_vi_hanh_chinh text,
    hieu_luc_tu text,
    hieu_luc_den text,
    ma_co_quan_ke_thua text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists portal_coquan_batch on raw.portal_coquan (_batch_id);
comment on table raw.portal_coquan is 'coquan.json as exported, one row per data record.';

create table if not exists raw.portal_thutuc (
    ma_tthc text,
    ten_tthc text,
    ma_linh_vuc text,
    ten_linh_vuc text,
    cap_thuc_hien text,
    co_quan_thuc_hien text,
    muc_do text,
    tich_hop_dvcqg text,
    co_phi_le_phi text,
    thanh_toan_truc_tuyen text,
    co_bcci text,
    thoi_han_ngay text,
    hieu_luc text,
    ngay_cong_bo text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists portal_thutuc_batch on raw.portal_thutuc (_batch_id);
comment on table raw.portal_thutuc is 'thutuc.json as exported, one row per data record.';

create table if not exists raw.portal_thanhtoan (
    ma_giao_dich text,
    ma_ho_so text,
    so_tien text,
    kenh text,
    trang_thai text,
    thoi_diem text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists portal_thanhtoan_batch on raw.portal_thanhtoan (_batch_id);
comment on table raw.portal_thanhtoan is 'thanhtoan.csv as exported, one row per data record.';

create table if not exists raw.portal_danhgia (
    ma_ho_so text,
    kenh_danh_gia text,
    muc_do_hai_long text,
    thoi_diem text,
    _extra jsonb,
    _batch_id bigint not null,
    _export_date date not null,
    _file text not null,
    _line integer not null
);
create index if not exists portal_danhgia_batch on raw.portal_danhgia (_batch_id);
comment on table raw.portal_danhgia is 'danhgia.xlsx as exported, one row per data record.';
