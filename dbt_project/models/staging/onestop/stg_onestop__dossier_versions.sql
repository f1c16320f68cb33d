with hoso as (
    {{ published_rows('onestop_hoso') }}
),

typed as (
    select
        {{ norm_text('ma_ho_so') }} as dossier_id,
        {{ norm_code('ma_tthc') }} as procedure_code,
        ma_tthc as procedure_code_raw,
        {{ norm_code('ma_linh_vuc') }} as field_code,
        ma_linh_vuc as field_code_raw,
        {{ norm_code('ma_co_quan') }} as agency_code,
        ma_co_quan as agency_code_raw,
        {{ safe_int('kenh_thuc_hien') }} as channel_code,
        {{ safe_int('loai_doi_tuong') }} as applicant_type_code,
        {{ local_ts('ngay_nop_ho_so', 'yyyymmddhhmmss') }} as submitted_at,
        {{ local_ts('ngay_tiep_nhan', 'yyyymmddhhmmss') }} as accepted_at,
        {{ local_ts('ngay_hen_tra', 'yyyymmddhhmmss') }} as due_at,
        {{ local_ts('ngay_ket_thuc_xu_ly', 'yyyymmddhhmmss') }} as ended_at,
        {{ local_ts('ngay_tra', 'yyyymmddhhmmss') }} as returned_at,
        {{ safe_int('hinh_thuc_tra') }} as return_method_code,
        {{ flag_1('hinh_thuc_tra') }} as returned_by_post,
        {{ safe_int('trang_thai_ho_so') }} as status_code,
        {{ flag_1('duoc_thanh_toan_truc_tuyen') }} as paid_online,
        {{ safe_bigint('le_phi') }} as fee_vnd,
        {{ flag_1('ho_so_co_thanh_phan_so_hoa') }} as digitised,
        {{ local_ts('ngay_cap_nhat', 'yyyymmddhhmmss') }} as source_updated_at,
        (
            {{ is_bad_value('ngay_nop_ho_so', local_ts('ngay_nop_ho_so', 'yyyymmddhhmmss')) }}
            or {{ is_bad_value('ngay_tiep_nhan', local_ts('ngay_tiep_nhan', 'yyyymmddhhmmss')) }}
            or {{ is_bad_value('ngay_hen_tra', local_ts('ngay_hen_tra', 'yyyymmddhhmmss')) }}
            or {{ is_bad_value('ngay_ket_thuc_xu_ly', local_ts('ngay_ket_thuc_xu_ly', 'yyyymmddhhmmss')) }}
            or {{ is_bad_value('ngay_tra', local_ts('ngay_tra', 'yyyymmddhhmmss')) }}
            or {{ is_bad_value('ngay_cap_nhat', local_ts('ngay_cap_nhat', 'yyyymmddhhmmss')) }}
        ) as has_invalid_date,
        _extra as extra_fields,
        _batch_id as batch_id,
        _export_date as export_date,
        _file as source_file,
        _line as source_line
    from hoso
),

final as (
    select
        *,
        row_number() over (
            partition by dossier_id
            order by source_updated_at desc nulls last, export_date desc, source_line desc
        ) as version_rank
    from typed
    where dossier_id is not null
)

select * from final
