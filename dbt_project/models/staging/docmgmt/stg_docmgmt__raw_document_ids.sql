{# Every document id named by any published docmgmt row, with its batch: what the incremental
    models read to find the documents a new batch touches. #}

with vanban as (
    {{ published_rows('docmgmt_vanban') }}
),

noinhan as (
    {{ published_rows('docmgmt_noinhan') }}
),

trangthai as (
    {{ published_rows('docmgmt_trangthai') }}
),

unioned as (
    select ma_van_ban, _batch_id, _export_date from vanban
    union all
    select ma_van_ban, _batch_id, _export_date from noinhan
    union all
    select ma_van_ban, _batch_id, _export_date from trangthai
),

final as (
    select distinct
        {{ norm_text('ma_van_ban') }} as document_id,
        _batch_id as batch_id,
        _export_date as export_date
    from unioned
    where {{ norm_text('ma_van_ban') }} is not null
)

select * from final
