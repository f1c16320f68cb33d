with danhgia as (
    {{ published_rows('portal_danhgia') }}
),

typed as (
    select
        {{ norm_text('ma_ho_so') }} as dossier_id,
        {{ norm_text('kenh_danh_gia') }} as rating_channel,
        {{ norm_text('muc_do_hai_long') }} as satisfaction_level_vi,
        {{ excel_or_local_ts('thoi_diem') }} as rated_at,
        thoi_diem as rated_at_raw,
        _extra as extra_fields,
        _batch_id as batch_id,
        _export_date as export_date,
        _line as source_line
    from danhgia
),

ranked as (
    select
        *,
        row_number() over (
            partition by dossier_id, coalesce(rated_at::text, rated_at_raw)
            order by export_date desc, source_line desc
        ) as version_rank
    from typed
    where dossier_id is not null
),

final as (
    select
        dossier_id,
        rated_at,
        {{ local_date('rated_at') }} as rated_date,
        rated_at_raw,
        rating_channel,
        satisfaction_level_vi,
        satisfaction_level_vi in ('Rất hài lòng', 'Hài lòng') as is_satisfied,
        satisfaction_level_vi in ('Rất hài lòng', 'Hài lòng', 'Bình thường', 'Không hài lòng') as is_known_level,
        rated_at is null as has_invalid_date,
        extra_fields,
        batch_id,
        export_date,
        source_line
    from ranked
    where version_rank = 1
)

select * from final
