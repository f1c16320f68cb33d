{{ config(
    materialized='incremental',
    unique_key='document_id',
    incremental_strategy='delete+insert',
    indexes=[
        {'columns': ['document_id'], 'unique': true},
        {'columns': ['changed_at']},
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_docmgmt__raw_document_ids') }}

{# One row per document ever seen: the register agencies and dates its figures ever touched and
    the export days any of its rows (register rows, recipients, statuses) came in. #}

with documents as (
    select * from {{ ref('stg_docmgmt__documents') }}
),

recipients as (
    select * from {{ ref('stg_docmgmt__recipients') }}
),

statuses as (
    select * from {{ ref('stg_docmgmt__exchange_statuses') }}
),

published_batches as (
    select * from {{ ref('stg_audit__published_batches') }}
    where system = 'docmgmt'
),

seen as (
    -- every (document, export day) any current row of the document came in
    select document_id, export_date, batch_id from documents
    union all
    select document_id, export_date, batch_id from recipients
    union all
    select document_id, export_date, batch_id from statuses
),

{% if is_incremental() %}
new_batches as (
    select
        batch_id,
        export_date
    from published_batches
    where published_at > {{ published_since(this.name) }}
),

new_raw_documents as (
    -- every document named in a new batch, whether or not its row won
    select document_id
    from {{ ref('stg_docmgmt__raw_document_ids') }}
    where batch_id in (select batch_id from new_batches)
),

candidates as (
    select document_id from new_raw_documents
    union
    select document_id
    from {{ this }}
    where fp_export_dates && array(select export_date from new_batches)
),
{% else %}
candidates as (
    select distinct document_id from seen
),
{% endif %}

current_rows as (
    select
        document_id,
        array_agg(distinct agency_code order by agency_code) filter (where agency_code is not null) as agency_codes,
        least(min(sent_date), min(deadline_date)) as earliest_date
    from documents
    {% if is_incremental() %}
    where document_id in (select document_id from candidates)
    {% endif %}
    group by document_id
),

current_status_dates as (
    select
        document_id,
        min(reported_date) as earliest_date
    from statuses
    {% if is_incremental() %}
    where document_id in (select document_id from candidates)
    {% endif %}
    group by document_id
),

current_days as (
    select
        document_id,
        array_agg(distinct export_date order by export_date) as export_dates
    from seen
    {% if is_incremental() %}
    where document_id in (select document_id from candidates)
    {% endif %}
    group by document_id
),

current_state as (
    select
        candidates.document_id,
        current_rows.agency_codes,
        least(current_rows.earliest_date, current_status_dates.earliest_date) as earliest_date,
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
        {% else %}
        coalesce(current_state.agency_codes, array[]::text[]) as fp_agency_codes,
        current_state.earliest_date as fp_from_date,
        coalesce(current_state.export_dates, array[]::date[]) as fp_export_dates,
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
