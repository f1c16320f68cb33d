{{ config(
    materialized='incremental',
    unique_key='snapshot_date',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    indexes=[
        {'columns': ['snapshot_date', 'procedure_code'], 'unique': true},
        {'columns': ['procedure_code']},
        {'columns': ['batch_id']},
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Daily complete snapshots: an incremental run (re)writes the snapshot days of the portal
   batches published since the last build (a re-sent day replaces its snapshot). #}

with thutuc as (
    {{ published_rows('portal_thutuc') }}
    {% if is_incremental() %}
        and {{ in_unread_batches(this.name) }}
    {% endif %}
),

typed as (
    select
        _export_date as snapshot_date,
        {{ norm_code('ma_tthc') }} as procedure_code,
        ma_tthc as procedure_code_raw,
        {{ norm_text('ten_tthc') }} as procedure_name,
        {{ norm_code('ma_linh_vuc') }} as field_code,
        {{ norm_text('ten_linh_vuc') }} as field_name,
        {{ norm_code('cap_thuc_hien') }} as government_level,
        case
            when pg_input_is_valid(co_quan_thuc_hien, 'jsonb')
                and jsonb_typeof(co_quan_thuc_hien::jsonb) = 'array'
                then array(
                    select distinct {{ norm_code('e.value') }}
                    from jsonb_array_elements_text(co_quan_thuc_hien::jsonb) as e (value)
                    where {{ norm_code('e.value') }} is not null
                    order by 1
                )
            else array[]::text[]
        end as agency_codes,
        co_quan_thuc_hien as agency_codes_raw,
        case {{ norm_code('muc_do') }}
            when '2' then 2
            when 'THONG_TIN' then 2
            when '3' then 3
            when 'MOT_PHAN' then 3
            when '4' then 4
            when 'TOAN_TRINH' then 4
        end as online_level,
        muc_do as online_level_raw,
        {{ json_bool('tich_hop_dvcqg') }} as is_on_national_portal,
        {{ json_bool('co_phi_le_phi') }} as has_fees,
        {{ json_bool('thanh_toan_truc_tuyen') }} as is_payable_online,
        {{ json_bool('co_bcci') }} as offers_postal_service,
        case
            when btrim(thoi_han_ngay) ~ '^[0-9]{1,6}(\.[0-9]+)?$' then btrim(thoi_han_ngay)::numeric
        end as deadline_days,
        {{ json_bool('hieu_luc') }} as is_in_force,
        {{ safe_date('ngay_cong_bo', 'yyyy-mm-dd') }} as published_date,
        _extra as extra_fields,
        _batch_id as batch_id,
        _line as source_line
    from thutuc
),

ranked as (
    select
        *,
        row_number() over (
            partition by snapshot_date, procedure_code
            order by source_line desc
        ) as occurrence
    from typed
    where procedure_code is not null
),

final as (
    select
        snapshot_date,
        procedure_code,
        procedure_code_raw,
        procedure_name,
        field_code,
        field_name,
        government_level,
        agency_codes,
        agency_codes_raw,
        online_level,
        online_level_raw,
        online_level is null as has_unknown_online_level,
        is_on_national_portal,
        has_fees,
        is_payable_online,
        offers_postal_service,
        deadline_days,
        is_in_force,
        published_date,
        {{ attribute_hash(procedure_version_attributes()) }} as attribute_hash,
        extra_fields,
        batch_id,
        source_line
    from ranked
    where occurrence = 1
)

select * from final
