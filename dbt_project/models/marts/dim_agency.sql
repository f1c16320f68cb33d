{{ config(
    indexes=[
        {'columns': ['agency_version_key'], 'unique': true},
        {'columns': ['agency_code', 'valid_from']},
    ],
) }}

with snapshots as (
    select * from {{ ref('stg_portal__agencies') }}
),

successors as (
    select * from {{ ref('int_agency_successors') }}
),

{{ scd2_from_snapshots('snapshots', 'agency_code', [
    'agency_name', 'agency_level', 'parent_agency_code', 'admin_unit_code',
    'effective_from', 'effective_to', 'successor_agency_code',
]) }},

final as (
    select
        versioned.agency_code || '@' || to_char(versioned.valid_from, 'YYYY-MM-DD') as agency_version_key,
        versioned.agency_code,
        versioned.version_no::integer as version_no,
        versioned.valid_from,
        case
            when versioned.is_current then null
            when versioned.next_valid_from is not null
                and versioned.next_valid_from = (
                    select min(d.snapshot_date) from snapshot_days as d where d.day_no = versioned.last_day_no + 1
                )
                then versioned.next_valid_from - 1
            else versioned.last_seen_date
        end as valid_to,
        versioned.is_current,
        versioned.agency_name,
        versioned.agency_level,
        versioned.parent_agency_code,
        versioned.admin_unit_code,
        versioned.effective_from,
        versioned.effective_to,
        versioned.successor_agency_code,
        successors.current_agency_code,
        versioned.snapshots_seen::integer as snapshots_seen
    from versioned
    left join successors
        on successors.agency_code = versioned.agency_code
)

select * from final
