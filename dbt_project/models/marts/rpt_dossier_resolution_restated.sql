{{ config(
    materialized='view',
) }}

{# rpt_dossier_resolution restated under the agencies in force today: each agency code is
    followed through its successors (MaCoQuanKeThua) to the end of the chain. History itself is
    never rewritten: this is a separate view over the mart. #}

with resolution as (
    select * from {{ ref('rpt_dossier_resolution') }}
),

successors as (
    select * from {{ ref('int_agency_successors') }}
),

mapped as (
    select
        resolution.*,
        coalesce(successors.current_agency_code, resolution.agency_code) as restated_agency_code
    from resolution
    left join successors
        on successors.agency_code = resolution.agency_code
),

final as (
    select
        period_convention::text as period_convention,
        period_type::text as period_type,
        period_label::text as period_label,
        restated_agency_code::text as agency_code,
        min(period_start)::date as period_start,
        min(period_end)::date as period_end,
        string_agg(distinct agency_code, ', ' order by agency_code)::text as source_agency_codes,
        sum(carried_over)::bigint as carried_over,
        sum(received_online)::bigint as received_online,
        sum(received_in_person_or_post)::bigint as received_in_person_or_post,
        sum(received_by_post)::bigint as received_by_post,
        sum(received)::bigint as received,
        sum(total_to_handle)::bigint as total_to_handle,
        sum(resolved_early)::bigint as resolved_early,
        sum(resolved_on_time)::bigint as resolved_on_time,
        sum(resolved_late)::bigint as resolved_late,
        sum(resolved)::bigint as resolved,
        sum(withdrawn_or_stopped)::bigint as withdrawn_or_stopped,
        sum(pending_within_deadline)::bigint as pending_within_deadline,
        sum(pending_overdue)::bigint as pending_overdue,
        sum(pending)::bigint as pending,
        sum(not_accepted)::bigint as not_accepted,
        (case
            when sum(resolved) > 0 then 100.0 * sum(resolved_early + resolved_on_time) / sum(resolved)
        end)::numeric as on_time_rate
    from mapped
    group by period_convention, period_type, period_label, restated_agency_code
)

select * from final
