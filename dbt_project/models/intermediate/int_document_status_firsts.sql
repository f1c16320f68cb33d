{# Incremental strategy append: the pre-hook has deleted every row of the keys rebuilt
   (delete+insert would delete them once more, scanning the table for keys that are gone). #}
{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='append',
    indexes=[{'columns': ['document_id', 'reporting_agency_code'], 'unique': true}],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_status_firsts_rebuild', changed_document_ids(this.name)) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('document_id', 'cchc_status_firsts_rebuild') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('int_document_footprints') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Incremental: an incremental run recomputes the documents whose footprint changed since its
   last build (a new or re-sent status report changes the footprint). #}

with statuses as (
    select * from {{ ref('stg_docmgmt__exchange_statuses') }}
    where reported_at is not null
    {% if is_incremental() %}
        and {{ is_stashed('document_id', 'cchc_status_firsts_rebuild') }}
    {% endif %}
),

final as (
    select
        document_id,
        reporting_agency_code,
        min(reported_at) filter (where status_code = '01') as arrived_at,
        min(reported_at) filter (where status_code = '03') as received_at,
        min(reported_at) filter (where status_code = '04') as assigned_at,
        min(reported_at) filter (where status_code = '05') as processing_at,
        min(reported_at) filter (where status_code = '06') as completed_at,
        max(reported_at) filter (where status_code = '02') as last_refused_at,
        max(reported_at) filter (where status_code = '03') as last_received_at
    from statuses
    where reporting_agency_code is not null
    group by document_id, reporting_agency_code
)

select * from final
