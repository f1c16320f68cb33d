{# Every dossier id named by a published hoso row, with its batch and export day: what the
   incremental models read to find the dossiers a new batch touches (no parsing, so cheap). #}

with hoso as (
    {{ published_rows('onestop_hoso') }}
),

final as (
    select distinct
        {{ norm_text('ma_ho_so') }} as dossier_id,
        _batch_id as batch_id,
        _export_date as export_date
    from hoso
    where {{ norm_text('ma_ho_so') }} is not null
)

select * from final
