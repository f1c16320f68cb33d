{# Incremental strategy append: the pre-hook has deleted every row of the keys rebuilt
   (delete+insert would delete them once more, scanning the table for keys that are gone). #}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='append',
    indexes=[
        {'columns': ['document_id', 'agency_code', 'direction'], 'unique': true},
        {'columns': ['agency_code', 'sent_date']},
        {'columns': ['agency_code', 'deadline_date']},
        {'columns': ['batch_id']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_stg_documents_rebuild', staged_documents_to_rebuild_sql()) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('document_id', 'cchc_stg_documents_rebuild') }}{% endif %}",
    ],
    post_hook=[
        "{{ record_watermark(this.name) }}",
        "{{ partial_index('unknown_agency', 'agency_code', 'not is_known_agency') }}",
    ],
) }}

-- depends_on: {{ ref('stg_docmgmt__raw_document_ids') }}
-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Incremental: an incremental run re-derives every register row of the documents named by the
   batches published since the last build, of those whose latest row's batch is no longer
   published (a re-sent day), and of those whose unknown agency a new directory now knows. #}

with vanban as (
    {{ published_rows('docmgmt_vanban') }}
    {% if is_incremental() %}
        and {{ in_batches_of('stg_docmgmt__raw_document_ids', 'document_id', 'select document_id from cchc_stg_documents_rebuild') }}
        and {{ norm_text('r.ma_van_ban') }} in (select document_id from cchc_stg_documents_rebuild)
    {% endif %}
),

directory as (
    select agency_code from {{ directory_agency_codes() }} as d
),

parsed as materialized (
    select
        vanban.*,
        {{ date_from_iso(iso_text('ngay_van_ban', 'dd/mm/yyyy')) }} as document_date,
        {{ local_ts_from_iso(iso_text('thoi_diem_gui', 'dd/mm/yyyy hh:mm')) }} as sent_at,
        {{ date_from_iso(iso_text('han_xu_ly', 'dd/mm/yyyy')) }} as deadline_date,
        {{ local_ts_from_iso(iso_text('ngay_cap_nhat', 'dd/mm/yyyy hh:mm')) }} as source_updated_at
    from vanban
),

typed as (
    select
        {{ norm_text('ma_van_ban') }} as document_id,
        {{ norm_text('so_ky_hieu') }} as number_symbol,
        {{ norm_code('loai_van_ban') }} as document_type_code,
        loai_van_ban as document_type_code_raw,
        {{ norm_text('trich_yeu') }} as subject,
        {{ norm_code('huong') }} as direction,
        huong as direction_raw,
        {{ norm_code('ma_co_quan') }} as agency_code,
        ma_co_quan as agency_code_raw,
        {{ norm_code('ma_co_quan_gui') }} as sender_agency_code,
        ma_co_quan_gui as sender_agency_code_raw,
        document_date,
        sent_at,
        {{ norm_code('hinh_thuc_gui') }} as sending_form,
        hinh_thuc_gui as sending_form_raw,
        {{ flag_1('ky_so') }} as digitally_signed,
        {{ flag_1('lien_thong') }} as via_national_axis,
        deadline_date,
        source_updated_at,
        (
            {{ is_bad_value('ngay_van_ban', 'document_date') }}
            or {{ is_bad_value('thoi_diem_gui', 'sent_at') }}
            or {{ is_bad_value('han_xu_ly', 'deadline_date') }}
            or {{ is_bad_value('ngay_cap_nhat', 'source_updated_at') }}
        ) as has_invalid_date,
        _extra as extra_fields,
        _batch_id as batch_id,
        _export_date as export_date,
        _line as source_line
    from parsed
),

ranked as (
    select
        *,
        row_number() over (
            partition by document_id, agency_code, direction
            order by source_updated_at desc nulls last, export_date desc, source_line desc
        ) as version_rank
    from typed
    where document_id is not null
),

final as (
    select
        document_id,
        agency_code,
        direction,
        agency_code_raw,
        direction_raw,
        number_symbol,
        document_type_code,
        document_type_code_raw,
        subject,
        sender_agency_code,
        sender_agency_code_raw,
        document_date,
        sent_at,
        {{ local_date('sent_at') }} as sent_date,
        sending_form,
        sending_form_raw,
        digitally_signed,
        via_national_axis,
        deadline_date,
        source_updated_at,
        agency_code in (select agency_code from directory) as is_known_agency,
        direction in ('DI', 'DEN') as is_known_direction,
        has_invalid_date,
        extra_fields,
        batch_id,
        export_date,
        source_line
    from ranked
    where version_rank = 1
)

select * from final
