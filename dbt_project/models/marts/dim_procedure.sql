{{ config(
    indexes=[
        {'columns': ['procedure_version_key'], 'unique': true},
        {'columns': ['procedure_code', 'valid_from']},
    ],
) }}

with

{{ scd2_from_change_points(ref('int_procedure_version_points'), ref('stg_portal__procedures'), 'procedure_code', procedure_version_attributes()) }},

final as (
    select
        versioned.procedure_code || '@' || to_char(versioned.valid_from, 'YYYY-MM-DD') as procedure_version_key,
        versioned.procedure_code,
        versioned.version_no::integer as version_no,
        versioned.valid_from,
        {{ scd2_valid_to() }} as valid_to,
        versioned.is_current,
        versioned.procedure_name,
        versioned.field_code,
        versioned.field_name,
        versioned.government_level,
        array_to_string(versioned.agency_codes, ', ') as agency_codes,
        versioned.online_level,
        versioned.online_level_raw,
        versioned.is_on_national_portal,
        versioned.has_fees,
        versioned.is_payable_online,
        versioned.offers_postal_service,
        versioned.deadline_days,
        versioned.is_in_force,
        versioned.published_date,
        versioned.snapshots_seen::integer as snapshots_seen
    from versioned
)

select * from final
