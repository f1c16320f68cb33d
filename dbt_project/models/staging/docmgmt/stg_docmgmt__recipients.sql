{# Incremental strategy append: the pre-hook has deleted every row of the keys rebuilt
   (delete+insert would delete them once more, scanning the table for keys that are gone). #}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='append',
    indexes=[
        {'columns': ['document_id', 'recipient_agency_code'], 'unique': true},
        {'columns': ['batch_id']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_stg_recipients_rebuild', staged_document_rows_to_rebuild_sql()) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('document_id', 'cchc_stg_recipients_rebuild') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_docmgmt__raw_document_ids') }}
-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Incremental: an incremental run re-derives every recipient row of the documents named by the
   batches published since the last build and of those with a row from a batch that is no
   longer published (a re-sent day). #}

with noinhan as (
    {{ published_rows('docmgmt_noinhan') }}
    {% if is_incremental() %}
        and {{ in_batches_of('stg_docmgmt__raw_document_ids', 'document_id', 'select document_id from cchc_stg_recipients_rebuild') }}
        and {{ norm_text('r.ma_van_ban') }} in (select document_id from cchc_stg_recipients_rebuild)
    {% endif %}
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
