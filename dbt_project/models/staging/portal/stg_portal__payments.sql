with thanhtoan as (
    {{ published_rows('portal_thanhtoan') }}
),

typed as (
    select
        {{ norm_text('ma_giao_dich') }} as payment_id,
        {{ norm_text('ma_ho_so') }} as dossier_id,
        {{ safe_bigint('so_tien') }} as amount_vnd,
        {{ norm_code('kenh') }} as payment_channel,
        {{ norm_code('trang_thai') }} as payment_status,
        {{ local_ts('thoi_diem', 'yyyy-mm-dd hh:mm:ss') }} as paid_at,
        {{ is_bad_value('thoi_diem', local_ts('thoi_diem', 'yyyy-mm-dd hh:mm:ss')) }} as has_invalid_date,
        _extra as extra_fields,
        _batch_id as batch_id,
        _export_date as export_date,
        _line as source_line
    from thanhtoan
),

ranked as (
    select
        *,
        row_number() over (
            partition by payment_id
            order by paid_at desc nulls last, export_date desc, source_line desc
        ) as version_rank
    from typed
    where payment_id is not null
),

final as (
    select
        payment_id,
        dossier_id,
        amount_vnd,
        payment_channel,
        payment_status,
        paid_at,
        {{ local_date('paid_at') }} as paid_date,
        payment_status = 'THANH_CONG' as is_successful,
        has_invalid_date,
        extra_fields,
        batch_id,
        export_date,
        source_line
    from ranked
    where version_rank = 1
)

select * from final
