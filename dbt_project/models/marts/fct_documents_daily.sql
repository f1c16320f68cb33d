{{ config(
    materialized='incremental',
    unique_key=['sender_agency_code', 'sent_date'],
    incremental_strategy='append',
    on_schema_change='fail',
    indexes=[
        {'columns': ['sender_agency_code', 'sent_date'], 'unique': true},
        {'columns': ['sent_date']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_document_days_touched', document_touched_days_sql(this.name)) }}{% endif %}",
        "{% if is_incremental() %}delete from {{ this }} as t using cchc_document_days_touched as k where t.sender_agency_code = k.agency_code and t.sent_date = k.register_date{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"] + vacuum_for_index_only_scans(),
) }}

-- depends_on: {{ ref('int_document_footprints') }}

{# fct_documents_exchanged summed by (sending agency, local day sent): the exchanges sent that
    day and what became of them (their latest statuses). Exchanges without a sender or a send
    time (no outgoing register row) are not counted here. Incremental strategy append: the
    pre-hook has deleted the rows of every (register agency, register day) of a changed
    document, and the model selects those keys again from the fact, through its
    (sender_agency_code, sent_at) index. #}

with exchanges as (
    select
        fact.*,
        {{ local_date('fact.sent_at') }} as sent_date
    from {{ ref('fct_documents_exchanged') }} as fact
    {% if is_incremental() %}
    inner join cchc_document_days_touched as k
        on k.agency_code = fact.sender_agency_code
        and fact.sent_at >= (k.register_date::timestamp at time zone '{{ var("local_time_zone") }}')
        and fact.sent_at < ((k.register_date + 1)::timestamp at time zone '{{ var("local_time_zone") }}')
    {% endif %}
    where fact.has_outgoing_row
        and fact.sender_agency_code is not null
        and fact.sent_at is not null
),

final as (
    select
        sender_agency_code::text as sender_agency_code,
        sent_date::date as sent_date,
        count(*)::integer as exchanges,
        count(distinct document_id)::integer as documents,
        count(*) filter (where sending_form = 'DIEN_TU')::integer as exchanges_electronic,
        count(*) filter (where sending_form = 'SONG_SONG')::integer as exchanges_parallel,
        count(*) filter (where sending_form = 'GIAY')::integer as exchanges_paper,
        count(*) filter (where digitally_signed)::integer as exchanges_signed,
        count(*) filter (where via_national_axis)::integer as exchanges_via_axis,
        count(*) filter (where completed_at is not null)::integer as completed,
        count(*) filter (where refused)::integer as refused,
        count(*) filter (where deadline is not null)::integer as with_deadline,
        count(*) filter (where processed_on_time)::integer as processed_on_time
    from exchanges
    group by sender_agency_code, sent_date
)

select * from final
