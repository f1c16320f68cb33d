{{ config(
    materialized='incremental',
    unique_key='snapshot_date',
    incremental_strategy='delete+insert',
    indexes=[
        {'columns': ['snapshot_date', 'agency_code'], 'unique': true},
        {'columns': ['agency_code']},
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Daily complete snapshots: an incremental run (re)writes the snapshot days of the portal
   batches published since the last build (a re-sent day replaces its snapshot). #}

with coquan as (
    {{ published_rows('portal_coquan') }}
    {% if is_incremental() %}
        and {{ in_unread_batches(this.name) }}
    {% endif %}
),

typed as (
    select
        _export_date as snapshot_date,
        {{ norm_code('ma_co_quan') }} as agency_code,
        ma_co_quan as agency_code_raw,
        {{ norm_text('ten_co_quan') }} as agency_name,
        {{ norm_code('cap') }} as agency_level,
        {{ norm_code('ma_co_quan_cha') }} as parent_agency_code,
        {{ norm_code('ma_don_vi_hanh_chinh') }} as admin_unit_code,
        {{ safe_date('hieu_luc_tu', 'yyyy-mm-dd') }} as effective_from,
        {{ safe_date('hieu_luc_den', 'yyyy-mm-dd') }} as effective_to,
        {{ norm_code('ma_co_quan_ke_thua') }} as successor_agency_code,
        (
            {{ is_bad_value('hieu_luc_tu', safe_date('hieu_luc_tu', 'yyyy-mm-dd')) }}
            or {{ is_bad_value('hieu_luc_den', safe_date('hieu_luc_den', 'yyyy-mm-dd')) }}
        ) as has_invalid_date,
        _extra as extra_fields,
        _batch_id as batch_id,
        _line as source_line
    from coquan
),

ranked as (
    select
        *,
        row_number() over (
            partition by snapshot_date, agency_code
            order by source_line desc
        ) as occurrence
    from typed
    where agency_code is not null
),

final as (
    select
        snapshot_date,
        agency_code,
        agency_code_raw,
        agency_name,
        agency_level,
        parent_agency_code,
        admin_unit_code,
        effective_from,
        effective_to,
        successor_agency_code,
        has_invalid_date,
        extra_fields,
        batch_id,
        source_line
    from ranked
    where occurrence = 1
)

select * from final
