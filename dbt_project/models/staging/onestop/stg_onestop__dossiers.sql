{# Incremental strategy append: the pre-hook has deleted every row of the keys rebuilt
   (delete+insert would delete them once more, scanning the table for keys that are gone). #}
{{ config(
    materialized='incremental',
    unique_key='dossier_id',
    incremental_strategy='append',
    indexes=[
        {'columns': ['dossier_id'], 'unique': true},
        {'columns': ['agency_code']},
        {'columns': ['batch_id']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_stg_dossiers_rebuild', staged_dossiers_to_rebuild_sql()) }}{% endif %}",
        "{% if is_incremental() %}{{ delete_stashed_keys('dossier_id', 'cchc_stg_dossiers_rebuild') }}{% endif %}",
    ],
    post_hook=[
        "{{ record_watermark(this.name) }}",
        "{{ partial_index('unknown_agency', 'agency_code', 'not is_known_agency') }}",
        "{{ partial_index('unknown_procedure', 'procedure_code', 'not is_known_procedure') }}",
        "{{ partial_index('counted_agency', 'agency_code', is_counted_dossier_sql()) }}",
    ],
) }}

-- depends_on: {{ ref('stg_onestop__raw_dossier_ids') }}
-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Incremental: an incremental run re-derives only the dossiers named by the batches published
   since the last build, those whose latest version's batch is no longer published (a re-sent
   day), and those whose unknown agency or procedure code a new portal snapshot now knows. #}

{% if is_incremental() %}
{{ dossier_versions_ctes('select dossier_id from cchc_stg_dossiers_rebuild') }},
{% else %}
{{ dossier_versions_ctes() }},
{% endif %}

versions as (
    select
        *,
        row_number() over (
            partition by dossier_id
            order by source_updated_at desc nulls last, export_date desc, source_line desc
        ) as version_rank
    from typed
    where dossier_id is not null
),

directory as (
    select agency_code from {{ directory_agency_codes() }} as d
),

catalogue as (
    select procedure_code from {{ catalogue_procedure_codes() }} as c
),

{% if not has_pgcrypto() %}
pii_key_pads as (
    {{ pii_key_pads_sql() }}
),
{% endif %}

latest as (
    select * from versions
    where version_rank = 1
),

hashed as (
    select
        latest.*,
        {{ pii_hash('hoso.chu_ho_so') }} as applicant_name_hash,
        {{ pii_hash('hoso.so_giay_to') }} as applicant_id_number_hash,
        {{ pii_hash('hoso.so_dien_thoai') }} as applicant_phone_hash
    from latest
    inner join hoso
        on hoso._batch_id = latest.batch_id
        and hoso._line = latest.source_line
    {% if not has_pgcrypto() %}
    cross join pii_key_pads
    {% endif %}
),

final as (
    select
        hashed.dossier_id,
        hashed.agency_code,
        hashed.agency_code_raw,
        hashed.procedure_code,
        hashed.procedure_code_raw,
        hashed.field_code,
        hashed.field_code_raw,
        hashed.channel_code,
        hashed.applicant_type_code,
        hashed.applicant_name_hash,
        hashed.applicant_id_number_hash,
        hashed.applicant_phone_hash,
        hashed.submitted_at,
        hashed.accepted_at,
        hashed.due_at,
        hashed.ended_at,
        hashed.returned_at,
        {{ local_date('hashed.submitted_at') }} as submitted_date,
        {{ local_date('hashed.accepted_at') }} as accepted_date,
        {{ local_date('hashed.due_at') }} as due_date,
        {{ local_date('hashed.ended_at') }} as ended_date,
        {{ local_date('hashed.returned_at') }} as returned_date,
        hashed.return_method_code,
        hashed.returned_by_post,
        hashed.status_code,
        hashed.paid_online,
        hashed.fee_vnd,
        hashed.digitised,
        hashed.source_updated_at,
        hashed.agency_code in (select agency_code from directory) as is_known_agency,
        hashed.procedure_code in (select procedure_code from catalogue) as is_known_procedure,
        (
            hashed.ended_at < hashed.accepted_at
            or {{ local_date('hashed.submitted_at') }} > hashed.export_date
            or {{ local_date('hashed.accepted_at') }} > hashed.export_date
            or {{ local_date('hashed.ended_at') }} > hashed.export_date
            or {{ local_date('hashed.returned_at') }} > hashed.export_date
            or (coalesce(hashed.status_code, 0) not in (1, 3) and hashed.accepted_at is null)
        ) is true as has_clock_error,
        hashed.has_invalid_date,
        hashed.extra_fields,
        hashed.batch_id,
        hashed.export_date,
        hashed.source_line
    from hashed
)

select * from final
