{# Incremental strategy append: the pre-hook has deleted every row of the keys rebuilt
   (delete+insert would delete them once more, scanning the table for keys that are gone). #}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='append',
    indexes=[
        {'columns': ['document_id', 'recipient_agency_code'], 'unique': true},
        {'columns': ['recipient_agency_code', 'recipient_in_province']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_exchanges_rebuild', documents_to_rebuild_sql(this.name)) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('document_id', 'cchc_exchanges_rebuild') }}{% endif %}",
        "{% if is_incremental() %}{{ stash_rows('cchc_exchanges_recipients', ref('stg_docmgmt__recipients'), 'document_id', 'cchc_exchanges_rebuild') }}{% endif %}",
        "{% if is_incremental() %}{{ stash_rows('cchc_exchanges_documents', ref('stg_docmgmt__documents'), 'document_id', 'cchc_exchanges_rebuild') }}{% endif %}",
        "{% if is_incremental() %}{{ stash_rows('cchc_exchanges_status_firsts', ref('int_document_status_firsts'), 'document_id', 'cchc_exchanges_rebuild') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('int_document_footprints') }}
-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Incremental: an incremental run recomputes the exchanges of the documents whose footprint
   changed since its last build, and of those whose recipient's directory membership changed
   (a new directory snapshot), as fct_documents_exchanged does. #}

-- depends_on: {{ ref('stg_docmgmt__recipients') }}
-- depends_on: {{ ref('stg_docmgmt__documents') }}
-- depends_on: {{ ref('int_document_status_firsts') }}

{# An incremental run reads the rows of the rebuilt documents, stashed by the pre-hooks. #}

with recipients as (
    select * from {{ 'cchc_exchanges_recipients' if is_incremental() else ref('stg_docmgmt__recipients') }}
),

documents as (
    select * from {{ 'cchc_exchanges_documents' if is_incremental() else ref('stg_docmgmt__documents') }}
),

status_firsts as (
    select * from {{ 'cchc_exchanges_status_firsts' if is_incremental() else ref('int_document_status_firsts') }}
),

directory as (
    select agency_code from {{ directory_agency_codes() }} as d
),

outgoing as (
    select * from documents
    where direction = 'DI'
),

incoming as (
    select * from documents
    where direction = 'DEN'
),

final as (
    select
        recipients.document_id,
        recipients.recipient_agency_code,
        outgoing.agency_code as sender_agency_code,
        recipients.recipient_agency_code in (select agency_code from directory) as recipient_in_province,
        outgoing.sent_at,
        outgoing.sending_form,
        outgoing.digitally_signed,
        outgoing.via_national_axis,
        status_firsts.arrived_at,
        status_firsts.received_at,
        status_firsts.assigned_at,
        status_firsts.processing_at,
        status_firsts.completed_at,
        -- refused: a 02 was reported and no 03 came after the last 02
        coalesce(
            status_firsts.last_refused_at is not null
            and (status_firsts.last_received_at is null
                 or status_firsts.last_received_at <= status_firsts.last_refused_at),
            false
        ) as refused,
        incoming.deadline_date as deadline,
        case
            when incoming.deadline_date is null then null
            else coalesce({{ local_date('status_firsts.completed_at') }} <= incoming.deadline_date, false)
        end as processed_on_time,
        outgoing.document_id is not null as has_outgoing_row
    from recipients
    left join outgoing
        on outgoing.document_id = recipients.document_id
    left join status_firsts
        on status_firsts.document_id = recipients.document_id
        and status_firsts.reporting_agency_code = recipients.recipient_agency_code
    left join incoming
        on incoming.document_id = recipients.document_id
        and incoming.agency_code = recipients.recipient_agency_code
)

select * from final
