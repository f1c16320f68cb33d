-- The identity of reporting-contract.md, for every agency and period of rpt_dossier_resolution:
-- carried_over + received = resolved + withdrawn_or_stopped + pending.
with resolution as (
    select * from {{ ref('rpt_dossier_resolution') }}
),

final as (
    select
        period_convention,
        period_type,
        period_label,
        agency_code,
        carried_over,
        received,
        resolved,
        withdrawn_or_stopped,
        pending
    from resolution
    where carried_over + received <> resolved + withdrawn_or_stopped + pending
)

select * from final
