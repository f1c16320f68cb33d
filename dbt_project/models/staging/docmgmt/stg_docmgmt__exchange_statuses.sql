{# Incremental strategy append: the pre-hook has deleted every row of the keys rebuilt
   (delete+insert would delete them once more, scanning the table for keys that are gone). #}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='append',
    indexes=[
        {'columns': ['document_id', 'reporting_agency_code']},
        {'columns': ['batch_id']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_stg_statuses_rebuild', staged_document_rows_to_rebuild_sql()) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('document_id', 'cchc_stg_statuses_rebuild') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_docmgmt__raw_document_ids') }}
-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Incremental: an incremental run re-derives every status report of the documents named by the
   batches published since the last build and of those with a report from a batch that is no
   longer published (a re-sent day). #}

with trangthai as (
    {{ published_rows('docmgmt_trangthai') }}
    {% if is_incremental() %}
        and {{ in_batches_of('stg_docmgmt__raw_document_ids', 'document_id', 'select document_id from cchc_stg_statuses_rebuild') }}
        and {{ norm_text('r.ma_van_ban') }} in (select document_id from cchc_stg_statuses_rebuild)
    {% endif %}
),

typed as (
    select
        {{ norm_text('ma_van_ban') }} as document_id,
        {{ norm_code('ma_co_quan_bao_cao') }} as reporting_agency_code,
        ma_co_quan_bao_cao as reporting_agency_code_raw,
        case
            when btrim(ma_trang_thai) ~ '^[0-9]{1,2}$' then lpad(btrim(ma_trang_thai), 2, '0')
            else {{ norm_code('ma_trang_thai') }}
        end as status_code,
        ma_trang_thai as status_code_raw,
        {{ iso_offset_ts('thoi_diem') }} as reported_at,
        thoi_diem as reported_at_raw,
        {{ norm_text('ghi_chu') }} as note,
        _batch_id as batch_id,
        _export_date as export_date,
        _line as source_line
    from trangthai
),

ranked as (
    -- one report = one distinct (document, reporting agency, status, time): exact repeats
    -- (the same message re-exported) are dropped; the first occurrence is kept
    select
        *,
        row_number() over (
            partition by document_id, reporting_agency_code, status_code, coalesce(reported_at::text, reported_at_raw)
            order by export_date, source_line
        ) as occurrence
    from typed
    where document_id is not null
),

final as (
    select
        document_id,
        reporting_agency_code,
        status_code,
        reported_at,
        {{ local_date('reported_at') }} as reported_date,
        reporting_agency_code_raw,
        status_code_raw,
        reported_at_raw,
        note,
        reported_at is null as has_invalid_date,
        status_code in ('01', '02', '03', '04', '05', '06') as is_known_status,
        batch_id,
        export_date,
        source_line
    from ranked
    where occurrence = 1
)

select * from final
