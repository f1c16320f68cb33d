{{ config(
    indexes=[{'columns': ['document_id', 'reporting_agency_code'], 'unique': true}],
) }}

with statuses as (
    select * from {{ ref('stg_docmgmt__exchange_statuses') }}
    where reported_at is not null
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
