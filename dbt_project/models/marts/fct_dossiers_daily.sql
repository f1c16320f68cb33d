{{ config(
    materialized='incremental',
    unique_key=['agency_code', 'accepted_date'],
    incremental_strategy='append',
    on_schema_change='fail',
    indexes=[
        {'columns': ['agency_code', 'accepted_date'], 'unique': true},
        {'columns': ['accepted_date']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_dossier_days_touched', touched_days_sql(this.name, ref('int_dossier_footprints'), 'fp_received_dates')) }}{% endif %}",
        "{% if is_incremental() %}delete from {{ this }} as t using cchc_dossier_days_touched as k where t.agency_code = k.agency_code and t.accepted_date = k.day{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"] + vacuum_for_index_only_scans(),
) }}

-- depends_on: {{ ref('int_dossier_footprints') }}

{# fct_dossiers_received summed by (agency, acceptance day): the dossiers received that day and
    what became of them (their latest state). Incremental strategy append: the pre-hook has
    deleted the rows of every (agency, day) a changed dossier ever counted on, and the model
    selects those keys again from the fact, through its (agency_code, accepted_date) index. #}

with received as (
    select fact.*
    from {{ ref('fct_dossiers_received') }} as fact
    {% if is_incremental() %}
    inner join cchc_dossier_days_touched as k
        on k.agency_code = fact.agency_code
        and k.day = fact.accepted_date
    {% endif %}
),

final as (
    select
        agency_code::text as agency_code,
        accepted_date::date as accepted_date,
        count(*)::integer as received,
        count(*) filter (where channel = 'truc_tuyen')::integer as received_online,
        count(*) filter (where channel is distinct from 'truc_tuyen')::integer as received_in_person_or_post,
        count(*) filter (where channel = 'buu_chinh')::integer as received_by_post,
        count(*) filter (where outcome = 'resolved')::integer as resolved,
        count(*) filter (where timeliness = 'truoc_han')::integer as resolved_early,
        count(*) filter (where timeliness = 'dung_han')::integer as resolved_on_time,
        count(*) filter (where timeliness = 'qua_han')::integer as resolved_late,
        count(*) filter (where outcome = 'withdrawn_or_stopped')::integer as withdrawn_or_stopped,
        count(*) filter (where outcome = 'pending')::integer as pending,
        count(*) filter (where paid_online)::integer as paid_online,
        count(*) filter (where digitised)::integer as digitised,
        count(*) filter (where returned_by_post)::integer as returned_by_post,
        count(*) filter (where has_clock_error)::integer as with_clock_error,
        coalesce(sum(fee_vnd), 0)::bigint as fees_vnd
    from received
    group by agency_code, accepted_date
)

select * from final
