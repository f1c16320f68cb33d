{{ config(
    indexes=[
        {'columns': ['agency_version_key'], 'unique': true},
        {'columns': ['agency_code', 'valid_from']},
    ],
) }}

with successors as (
    select * from {{ ref('int_agency_successors') }}
),

{{ scd2_from_change_points(ref('int_agency_version_points'), ref('stg_portal__agencies'), 'agency_code', agency_version_attributes()) }},

final as (
    select
        versioned.agency_code || '@' || to_char(versioned.valid_from, 'YYYY-MM-DD') as agency_version_key,
        versioned.agency_code,
        versioned.version_no::integer as version_no,
        versioned.valid_from,
        {{ scd2_valid_to() }} as valid_to,
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
