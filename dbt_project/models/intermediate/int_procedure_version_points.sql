{{ config(
    materialized='incremental',
    incremental_strategy='append',
    indexes=[
        {'columns': ['procedure_code', 'snapshot_date'], 'unique': true},
        {'columns': ['snapshot_date']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_procedure_points_days', scd2_recompute_days(ref('stg_portal__procedures'), this.name, 'portal')) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('snapshot_date', 'cchc_procedure_points_days') }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{#- The days on which a version of dim_procedure starts or ends (macros/scd2.sql). Rows staged
    before stg_portal__procedures had attribute_hash have none: they are hashed here. -#}

{{ scd2_change_points(
    ref('stg_portal__procedures'),
    'procedure_code',
    "coalesce(s.attribute_hash, " ~ attribute_hash(procedure_version_attributes(), 's') ~ ")",
    'cchc_procedure_points_days',
) }}
