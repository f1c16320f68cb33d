{# Incremental strategy append: the pre-hook has deleted the rows of the (agency, day) pairs
   rebuilt. #}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['agency_code', 'deadline_date']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_deadline_days_rebuild', document_touched_days_sql(this.name)) }}{% endif %}",
        "{% if is_incremental() %}delete from {{ this }} as t using cchc_deadline_days_rebuild as r where t.agency_code = r.agency_code and t.deadline_date = r.register_date{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('int_document_footprints') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# One row per (recipient register agency, deadline day, day the agency reported 06): the
   incoming documents with that deadline and completion. rpt_document_exchange places them in
   the periods containing the deadline. Incremental like int_document_register_days. #}

with incoming as (
    select documents.*
    from {{ ref('stg_docmgmt__documents') }} as documents
    {% if is_incremental() %}
    inner join cchc_deadline_days_rebuild as r
        on r.agency_code = documents.agency_code
        and r.register_date = documents.deadline_date
    {% endif %}
    where documents.direction = 'DEN'
        and documents.agency_code is not null
        and documents.deadline_date is not null
),

status_firsts as (
    select * from {{ ref('int_document_status_firsts') }}
),

final as (
    select
        incoming.agency_code,
        incoming.deadline_date,
        {{ local_date('status_firsts.completed_at') }} as completed_date,
        count(*) as documents
    from incoming
    left join status_firsts
        on status_firsts.document_id = incoming.document_id
        and status_firsts.reporting_agency_code = incoming.agency_code
    group by 1, 2, 3
)

select * from final
