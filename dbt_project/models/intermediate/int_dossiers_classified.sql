{# A view: one row per staged dossier with its counting flags, computed where it is read (the
   marts read the dossiers they recompute through stg_onestop__dossiers' indexes, so nothing here
   is rebuilt each night). #}
{{ config(materialized='view') }}

with dossiers as (
    select * from {{ ref('stg_onestop__dossiers') }}
),

flagged as (
    select
        *,
        {{ is_received_sql() }} as is_received,
        {{ is_not_accepted_sql() }} as is_not_accepted
    from dossiers
),

final as (
    select
        dossier_id,
        agency_code,
        procedure_code,
        field_code,
        channel_code,
        applicant_type_code,
        status_code,
        submitted_date,
        accepted_date,
        due_date,
        ended_date,
        returned_date,
        returned_by_post,
        is_received,
        is_not_accepted,
        -- period membership uses an end that is never before acceptance (clock errors)
        case
            when is_received and ended_date is not null then greatest(ended_date, accepted_date)
        end as counted_end_date,
        case
            when not is_received then null
            when ended_date is null then 'pending'
            when status_code in (7, 8) then 'withdrawn_or_stopped'
            else 'resolved'
        end as outcome,
        case
            when not is_received or ended_date is null or status_code in (7, 8) then null
            when due_date is null then 'dung_han'
            when ended_date < due_date then 'truoc_han'
            when ended_date = due_date then 'dung_han'
            else 'qua_han'
        end as timeliness,
        -- first day on which the dossier, still open, is past its due date
        case
            when is_received and due_date is not null then greatest(accepted_date, due_date + 1)
        end as overdue_from_date,
        has_clock_error,
        has_invalid_date,
        is_known_agency,
        is_known_procedure,
        least(submitted_date, accepted_date, ended_date, returned_date, due_date) as earliest_date,
        export_date,
        batch_id
    from flagged
)

select * from final
