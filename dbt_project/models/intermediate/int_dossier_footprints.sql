{{ config(
    materialized='incremental',
    unique_key='dossier_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[
        {'columns': ['dossier_id'], 'unique': true},
        {'columns': ['changed_at']},
        {'columns': ['fp_export_dates'], 'type': 'gin'},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_dossier_fp_candidates', footprint_candidates_sql('dossier_id', 'stg_onestop__raw_dossier_ids', 'onestop')) }}{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# One row per dossier ever seen: which agencies and dates its figures ever touched, the
    acceptance days it was ever received on (fp_received_dates: the days of fct_dossiers_daily it
    ever counted in), and the export days its versions came in. The marts recompute the
    (agency, period) pairs of the footprints changed since their last build. #}

{#- An incremental run reads only the rows of the candidate dossiers (stashed by the pre-hook). -#}
{% if is_incremental() %}
{% set of_candidates = 'where dossier_id in (select dossier_id from cchc_dossier_fp_candidates)' %}
{% else %}
{% set of_candidates = '' %}
{% endif %}

with dossiers as (
    select * from {{ ref('int_dossiers_classified') }}
    {{ of_candidates }}
),

versions as (
    select * from {{ ref('stg_onestop__raw_dossier_ids') }}
    {{ of_candidates }}
),

candidates as (
    {% if is_incremental() %}
    select dossier_id from cchc_dossier_fp_candidates
    {% else %}
    select distinct dossier_id from versions
    {% endif %}
),

export_days as (
    select
        dossier_id,
        array_agg(distinct export_date order by export_date) as export_dates
    from versions
    group by dossier_id
),

current_state as (
    select
        candidates.dossier_id,
        dossiers.agency_code,
        dossiers.earliest_date,
        case when dossiers.is_received then dossiers.accepted_date end as received_date,
        export_days.export_dates,
        dossiers.dossier_id is not null as is_present
    from candidates
    left join dossiers
        on dossiers.dossier_id = candidates.dossier_id
    left join export_days
        on export_days.dossier_id = candidates.dossier_id
),

final as (
    select
        current_state.dossier_id,
        {% if is_incremental() %}
        -- union with what the footprint already held: old codes and dates stay touched
        array(
            select distinct a
            from unnest(array_append(coalesce(previous.fp_agency_codes, array[]::text[]), current_state.agency_code)) as a
            where a is not null
            order by a
        ) as fp_agency_codes,
        least(previous.fp_from_date, current_state.earliest_date) as fp_from_date,
        array(
            select distinct d
            from unnest(coalesce(previous.fp_export_dates, array[]::date[]) || coalesce(current_state.export_dates, array[]::date[])) as d
            order by d
        ) as fp_export_dates,
        array(
            select distinct d
            from unnest(array_append(coalesce(previous.fp_received_dates, array[]::date[]), current_state.received_date)) as d
            where d is not null
            order by d
        ) as fp_received_dates,
        {% else %}
        case when current_state.agency_code is null then array[]::text[] else array[current_state.agency_code] end as fp_agency_codes,
        current_state.earliest_date as fp_from_date,
        coalesce(current_state.export_dates, array[]::date[]) as fp_export_dates,
        case when current_state.received_date is null then array[]::date[] else array[current_state.received_date] end as fp_received_dates,
        {% endif %}
        current_state.is_present,
        {{ run_stamp() }} as changed_at
    from current_state
    {% if is_incremental() %}
    left join {{ this }} as previous
        on previous.dossier_id = current_state.dossier_id
    {% endif %}
)

select * from final
