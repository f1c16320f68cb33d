{{ config(
    materialized='incremental',
    unique_key=['document_id', 'recipient_agency_code'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[
        {'columns': ['document_id', 'recipient_agency_code'], 'unique': true},
        {'columns': ['sender_agency_code', 'sent_at']},
        {'columns': ['recipient_agency_code', 'recipient_in_province']},
        {'columns': ['sent_at', 'sending_form', 'digitally_signed', 'processed_on_time']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_fct_documents_rebuild', documents_to_rebuild_sql(this.name)) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('document_id', 'cchc_fct_documents_rebuild') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"] + vacuum_for_index_only_scans(),
) }}

-- depends_on: {{ ref('int_document_footprints') }}
-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('stg_portal__agencies') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

with exchanges as (
    select * from {{ ref('int_document_exchanges') }}
),

selected as (
    select * from exchanges
    {% if is_incremental() %}
    -- an array: the rows feed no join
    where {{ is_stashed('document_id', 'cchc_fct_documents_rebuild') }}
    {% endif %}
),

final as (
    select
        document_id::text as document_id,
        sender_agency_code::text as sender_agency_code,
        recipient_agency_code::text as recipient_agency_code,
        recipient_in_province::boolean as recipient_in_province,
        sent_at::timestamptz as sent_at,
        sending_form::text as sending_form,
        digitally_signed::boolean as digitally_signed,
        via_national_axis::boolean as via_national_axis,
        arrived_at::timestamptz as arrived_at,
        received_at::timestamptz as received_at,
        assigned_at::timestamptz as assigned_at,
        processing_at::timestamptz as processing_at,
        completed_at::timestamptz as completed_at,
        refused::boolean as refused,
        deadline::date as deadline,
        processed_on_time::boolean as processed_on_time,
        has_outgoing_row::boolean as has_outgoing_row
    from selected
)

select * from final
