{{ config(
    materialized='incremental',
    unique_key='dossier_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[
        {'columns': ['dossier_id'], 'unique': true},
        {'columns': ['agency_code', 'accepted_date']},
        {'columns': ['accepted_date', 'agency_code', 'outcome', 'timeliness', 'channel']},
        {'columns': ['procedure_code']},
    ],
    pre_hook=["{% if is_incremental() %}delete from {{ this }} where dossier_id in ({{ changed_dossier_ids(this.name) }}){% endif %}"],
    post_hook=["{{ record_watermark(this.name) }}"] + vacuum_for_index_only_scans(),
) }}

-- depends_on: {{ ref('int_dossier_footprints') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

with dossiers as (
    select * from {{ ref('int_dossiers_classified') }}
),

dossiers_source as (
    select * from {{ ref('stg_onestop__dossiers') }}
),

channels as (
    select * from {{ ref('ref_dossier_channels') }}
),

received as (
    select * from dossiers
    where is_received
    {% if is_incremental() %}
        and dossier_id in ({{ changed_dossier_ids(this.name) }})
    {% endif %}
),

final as (
    select
        received.dossier_id::text as dossier_id,
        received.agency_code::text as agency_code,
        received.procedure_code::text as procedure_code,
        received.field_code::text as field_code,
        coalesce(channels.channel, 'khac')::text as channel,
        received.channel_code::integer as channel_code,
        received.applicant_type_code::integer as applicant_type,
        source.submitted_at::timestamptz as submitted_at,
        source.accepted_at::timestamptz as accepted_at,
        source.due_at::timestamptz as due_at,
        source.ended_at::timestamptz as ended_at,
        source.returned_at::timestamptz as returned_at,
        received.accepted_date::date as accepted_date,
        received.due_date::date as due_date,
        received.ended_date::date as ended_date,
        received.returned_date::date as returned_date,
        received.counted_end_date::date as counted_end_date,
        received.returned_by_post::boolean as returned_by_post,
        received.status_code::integer as status_code,
        received.outcome::text as outcome,
        received.timeliness::text as timeliness,
        source.paid_online::boolean as paid_online,
        source.fee_vnd::bigint as fee_vnd,
        source.digitised::boolean as digitised,
        received.has_clock_error::boolean as has_clock_error
    from received
    inner join dossiers_source as source
        on source.dossier_id = received.dossier_id
    left join channels
        on channels.channel_code = received.channel_code
)

select * from final
