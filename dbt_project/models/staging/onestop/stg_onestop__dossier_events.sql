with quatrinh as (
    {{ published_rows('onestop_quatrinh') }}
),

typed as (
    select
        {{ norm_text('ma_ho_so') }} as dossier_id,
        {{ norm_text('thu_tu') }} as step_key,
        {{ safe_int('thu_tu') }} as step_no,
        {{ safe_int('ma_trang_thai') }} as status_code,
        {{ local_ts('thoi_diem', 'yyyy-mm-dd hh:mm:ss') }} as event_at,
        {{ norm_code('ma_co_quan_xu_ly') }} as handling_agency_code,
        ma_co_quan_xu_ly as handling_agency_code_raw,
        {{ norm_text('ghi_chu') }} as note,
        {{ is_bad_value('thoi_diem', local_ts('thoi_diem', 'yyyy-mm-dd hh:mm:ss')) }} as has_invalid_date,
        _extra as extra_fields,
        _batch_id as batch_id,
        _export_date as export_date,
        _line as source_line
    from quatrinh
),

ranked as (
    select
        *,
        row_number() over (
            partition by dossier_id, step_key
            order by export_date desc, source_line desc
        ) as version_rank
    from typed
    where dossier_id is not null
        and step_key is not null
),

final as (
    select
        dossier_id,
        step_key,
        step_no,
        status_code,
        event_at,
        {{ local_date('event_at') }} as event_date,
        handling_agency_code,
        handling_agency_code_raw,
        note,
        has_invalid_date,
        extra_fields,
        batch_id,
        export_date,
        source_line
    from ranked
    where version_rank = 1
)

select * from final
