{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    indexes=[
        {'columns': ['document_id'], 'unique': true},
        {'columns': ['changed_at']},
        {'columns': ['fp_export_dates'], 'type': 'gin'},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_document_fp_candidates', footprint_candidates_sql('document_id', 'stg_docmgmt__raw_document_ids', 'docmgmt')) }}{% endif %}",
        "{% if is_incremental() %}{{ stash_rows('cchc_document_fp_documents', ref('stg_docmgmt__documents'), 'document_id', 'cchc_document_fp_candidates') }}{% endif %}",
        "{% if is_incremental() %}{{ stash_rows('cchc_document_fp_recipients', ref('stg_docmgmt__recipients'), 'document_id', 'cchc_document_fp_candidates') }}{% endif %}",
        "{% if is_incremental() %}{{ stash_rows('cchc_document_fp_statuses', ref('stg_docmgmt__exchange_statuses'), 'document_id', 'cchc_document_fp_candidates') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_docmgmt__raw_document_ids') }}
-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# One row per document ever seen: the register agencies and dates its figures ever touched, the
    days it ever counted on in a register (sent day, deadline: fp_register_dates), and the export
    days any of its rows (register rows, recipients, statuses) came in. #}

-- depends_on: {{ ref('stg_docmgmt__documents') }}
-- depends_on: {{ ref('stg_docmgmt__recipients') }}
-- depends_on: {{ ref('stg_docmgmt__exchange_statuses') }}

{# An incremental run reads only the rows of the candidate documents, stashed by the pre-hooks
   (the candidates, then each source's rows of them). #}

with documents as (
    select * from {{ 'cchc_document_fp_documents' if is_incremental() else ref('stg_docmgmt__documents') }}
),

recipients as (
    select * from {{ 'cchc_document_fp_recipients' if is_incremental() else ref('stg_docmgmt__recipients') }}
),

statuses as (
    select * from {{ 'cchc_document_fp_statuses' if is_incremental() else ref('stg_docmgmt__exchange_statuses') }}
),

seen as (
    -- every (document, export day) any current row of the document came in
    select document_id, export_date, batch_id from documents
    union all
    select document_id, export_date, batch_id from recipients
    union all
    select document_id, export_date, batch_id from statuses
),

candidates as (
    {% if is_incremental() %}
    select document_id from cchc_document_fp_candidates
    {% else %}
    select distinct document_id from seen
    {% endif %}
),

current_rows as (
    select
        document_id,
        array_agg(distinct agency_code order by agency_code) filter (where agency_code is not null) as agency_codes,
        least(min(sent_date), min(deadline_date)) as earliest_date,
        array_agg(distinct register_date order by register_date) filter (where register_date is not null) as register_dates
    from documents
    cross join lateral (values (sent_date), (deadline_date)) as d (register_date)
    group by document_id
),

current_status_dates as (
    select
        document_id,
        min(reported_date) as earliest_date
    from statuses
    group by document_id
),

current_days as (
    select
        document_id,
        array_agg(distinct export_date order by export_date) as export_dates
    from seen
    group by document_id
),

current_state as (
    select
        candidates.document_id,
        current_rows.agency_codes,
        least(current_rows.earliest_date, current_status_dates.earliest_date) as earliest_date,
        current_rows.register_dates,
        current_days.export_dates,
        current_days.document_id is not null as is_present
    from candidates
    left join current_rows
        on current_rows.document_id = candidates.document_id
    left join current_status_dates
        on current_status_dates.document_id = candidates.document_id
    left join current_days
        on current_days.document_id = candidates.document_id
    where candidates.document_id is not null
),

final as (
    select
        current_state.document_id,
        {% if is_incremental() %}
        -- union with what the footprint already held: old codes and dates stay touched
        array(
            select distinct a
            from unnest(coalesce(previous.fp_agency_codes, array[]::text[]) || coalesce(current_state.agency_codes, array[]::text[])) as a
            where a is not null
            order by a
        ) as fp_agency_codes,
        least(previous.fp_from_date, current_state.earliest_date) as fp_from_date,
        array(
            select distinct d
            from unnest(coalesce(previous.fp_export_dates, array[]::date[]) || coalesce(current_state.export_dates, array[]::date[])) as d
            order by d
        ) as fp_export_dates,
        array(
            select distinct d
            from unnest(coalesce(previous.fp_register_dates, array[]::date[]) || coalesce(current_state.register_dates, array[]::date[])) as d
            order by d
        ) as fp_register_dates,
        {% else %}
        coalesce(current_state.agency_codes, array[]::text[]) as fp_agency_codes,
        current_state.earliest_date as fp_from_date,
        coalesce(current_state.export_dates, array[]::date[]) as fp_export_dates,
        coalesce(current_state.register_dates, array[]::date[]) as fp_register_dates,
        {% endif %}
        current_state.is_present,
        {{ run_stamp() }} as changed_at
    from current_state
    {% if is_incremental() %}
    left join {{ this }} as previous
        on previous.document_id = current_state.document_id
    {% endif %}
)

select * from final
