{# Incremental strategy append: the pre-hook has deleted the rows of the (agency, day) pairs
   rebuilt. #}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['agency_code', 'sent_date'], 'unique': true},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_register_days_rebuild', document_touched_days_sql(this.name)) }}{% endif %}",
        "{% if is_incremental() %}delete from {{ this }} as t using cchc_register_days_rebuild as r where t.agency_code = r.agency_code and t.sent_date = r.register_date{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('int_document_footprints') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# One row per (register agency, sent day): the day's register rows, outgoing (DI, by sending
   form, signature, national axis) and incoming (DEN). rpt_document_exchange adds the days of a
   period up. Incremental: an incremental run recounts the (agency, day) pairs of the documents
   whose footprint changed. #}

with documents as (
    select documents.*
    from {{ ref('stg_docmgmt__documents') }} as documents
    {% if is_incremental() %}
    inner join cchc_register_days_rebuild as r
        on r.agency_code = documents.agency_code
        and r.register_date = documents.sent_date
    {% endif %}
    where documents.agency_code is not null
        and documents.sent_date is not null
),

final as (
    select
        agency_code,
        sent_date,
        count(*) filter (where direction = 'DI') as outgoing,
        count(*) filter (where direction = 'DI' and sending_form = 'DIEN_TU') as outgoing_electronic,
        count(*) filter (where direction = 'DI' and sending_form = 'SONG_SONG') as outgoing_parallel,
        count(*) filter (where direction = 'DI' and sending_form = 'GIAY') as outgoing_paper,
        count(*) filter (where direction = 'DI' and digitally_signed) as outgoing_signed,
        count(*) filter (where direction = 'DI' and via_national_axis) as outgoing_via_axis,
        count(*) filter (where direction = 'DEN') as incoming
    from documents
    group by agency_code, sent_date
)

select * from final
