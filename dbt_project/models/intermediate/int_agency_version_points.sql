{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['agency_code', 'snapshot_date'], 'unique': true},
        {'columns': ['snapshot_date']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_agency_points_days', scd2_recompute_days(ref('stg_portal__agencies'), this.name, 'portal')) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('snapshot_date', 'cchc_agency_points_days') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{#- The days on which a version of dim_agency starts or ends (macros/scd2.sql). -#}

{{ scd2_change_points(
    ref('stg_portal__agencies'),
    'agency_code',
    attribute_hash(agency_version_attributes(), 's'),
    'cchc_agency_points_days',
) }}
