{{ config(
    materialized='table',
    indexes=[
        {'columns': ['document_id', 'recipient_agency_code'], 'unique': true},
    ],
) }}

with noinhan as (
    {{ published_rows('docmgmt_noinhan') }}
),

typed as (
    select
        {{ norm_text('ma_van_ban') }} as document_id,
        {{ norm_code('ma_co_quan_nhan') }} as recipient_agency_code,
        ma_co_quan_nhan as recipient_agency_code_raw,
        {{ safe_int('thu_tu') }} as recipient_order,
        _extra as extra_fields,
        _batch_id as batch_id,
        _export_date as export_date,
        _line as source_line
    from noinhan
),

ranked as (
    select
        *,
        row_number() over (
            partition by document_id, recipient_agency_code
            order by export_date desc, source_line desc
        ) as version_rank
    from typed
    where document_id is not null
        and recipient_agency_code is not null
),

final as (
    select
        document_id,
        recipient_agency_code,
        recipient_agency_code_raw,
        recipient_order,
        extra_fields,
        batch_id,
        export_date,
        source_line
    from ranked
    where version_rank = 1
)

select * from final
