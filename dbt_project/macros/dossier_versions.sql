{#- The typed dossier versions (hoso.jsonl rows of published batches), optionally only those of
    the dossiers `dossier_ids_sql` selects (the filter is applied to raw, before any parsing).
    Ends with the CTE `typed`; used by stg_onestop__dossier_versions and stg_onestop__dossiers. -#}
{% macro dossier_versions_ctes(dossier_ids_sql=none) %}
with hoso as (
    {{ published_rows('onestop_hoso') }}
    {% if dossier_ids_sql %}
        and {{ in_batches_of('stg_onestop__raw_dossier_ids', 'dossier_id', dossier_ids_sql) }}
        and {{ norm_text('r.ma_ho_so') }} in ({{ dossier_ids_sql }})
    {% endif %}
),

iso as materialized (
    -- each date field rewritten once as ISO text, then parsed once (materialized: an inlined
    -- CTE would evaluate the parsing again wherever a column is used)
    select
        hoso.*,
        {{ iso_text('ngay_nop_ho_so', 'yyyymmddhhmmss') }} as submitted_iso,
        {{ iso_text('ngay_tiep_nhan', 'yyyymmddhhmmss') }} as accepted_iso,
        {{ iso_text('ngay_hen_tra', 'yyyymmddhhmmss') }} as due_iso,
        {{ iso_text('ngay_ket_thuc_xu_ly', 'yyyymmddhhmmss') }} as ended_iso,
        {{ iso_text('ngay_tra', 'yyyymmddhhmmss') }} as returned_iso,
        {{ iso_text('ngay_cap_nhat', 'yyyymmddhhmmss') }} as updated_iso
    from hoso
),

parsed as materialized (
    select
        iso.*,
        {{ local_ts_from_iso('submitted_iso') }} as submitted_at,
        {{ local_ts_from_iso('accepted_iso') }} as accepted_at,
        {{ local_ts_from_iso('due_iso') }} as due_at,
        {{ local_ts_from_iso('ended_iso') }} as ended_at,
        {{ local_ts_from_iso('returned_iso') }} as returned_at,
        {{ local_ts_from_iso('updated_iso') }} as source_updated_at
    from iso
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
        submitted_at,
        accepted_at,
        due_at,
        ended_at,
        returned_at,
        {{ safe_int('hinh_thuc_tra') }} as return_method_code,
        {{ flag_1('hinh_thuc_tra') }} as returned_by_post,
        {{ safe_int('trang_thai_ho_so') }} as status_code,
        {{ flag_1('duoc_thanh_toan_truc_tuyen') }} as paid_online,
        {{ safe_bigint('le_phi') }} as fee_vnd,
        {{ flag_1('ho_so_co_thanh_phan_so_hoa') }} as digitised,
        source_updated_at,
        (
            {{ is_bad_value('ngay_nop_ho_so', 'submitted_at') }}
            or {{ is_bad_value('ngay_tiep_nhan', 'accepted_at') }}
            or {{ is_bad_value('ngay_hen_tra', 'due_at') }}
            or {{ is_bad_value('ngay_ket_thuc_xu_ly', 'ended_at') }}
            or {{ is_bad_value('ngay_tra', 'returned_at') }}
            or {{ is_bad_value('ngay_cap_nhat', 'source_updated_at') }}
        ) as has_invalid_date,
        _extra as extra_fields,
        _batch_id as batch_id,
        _export_date as export_date,
        _file as source_file,
        _line as source_line
    from parsed
)
{% endmacro %}
