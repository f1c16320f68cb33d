{# Incremental strategy append: the pre-hook has deleted the rows of the (agency, period) pairs
   rebuilt, stashed in a temporary table the model reads back. #}
{{ config(
    materialized='incremental',
    unique_key=['period_convention', 'period_type', 'period_label', 'agency_code'],
    incremental_strategy='append',
    on_schema_change='fail',
    indexes=[
        {'columns': ['period_convention', 'period_type', 'period_label', 'agency_code'], 'unique': true},
        {'columns': ['agency_code', 'period_convention', 'period_type', 'period_start']},
        {'columns': ['period_convention', 'period_type', 'period_start']},
    ],
    pre_hook=[
        "{% if is_incremental() %}{{ stash_keys('cchc_document_pairs_rebuild', document_touched_period_pairs(this.name)) }}{% endif %}",
        "{% if is_incremental() %}delete from {{ this }} as t using cchc_document_pairs_rebuild as tp where t.period_key = tp.period_key and t.agency_code = tp.agency_code{% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('int_document_footprints') }}
-- depends_on: {{ ref('int_date_periods') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# The day aggregates (int_document_register_days, int_document_deadline_days) added up over each
   touched (agency, period): a period's figures never read the documents themselves, so an
   incremental run costs the days of its touched periods, not the documents of the year. #}

with register_days as (
    select * from {{ ref('int_document_register_days') }}
),

deadline_days as (
    select * from {{ ref('int_document_deadline_days') }}
),

touched_pairs as (
    {% if is_incremental() %}
    select * from cchc_document_pairs_rebuild
    {% else %}
    {{ touched_period_pairs(this.name, ref('int_document_footprints'), document_agencies_sql(), true) }}
    {% endif %}
),

register_figures as (
    select
        touched_pairs.period_key,
        touched_pairs.agency_code,
        sum(register_days.outgoing) as outgoing,
        sum(register_days.outgoing_electronic) as outgoing_electronic,
        sum(register_days.outgoing_parallel) as outgoing_parallel,
        sum(register_days.outgoing_paper) as outgoing_paper,
        sum(register_days.outgoing_signed) as outgoing_signed,
        sum(register_days.outgoing_via_axis) as outgoing_via_axis,
        sum(register_days.incoming) as incoming
    from touched_pairs
    inner join register_days
        on register_days.agency_code = touched_pairs.agency_code
        and register_days.sent_date between touched_pairs.period_start and touched_pairs.period_end
    group by 1, 2
),

deadline_figures as (
    select
        touched_pairs.period_key,
        touched_pairs.agency_code,
        sum(d.documents) as with_deadline,
        coalesce(sum(d.documents) filter (where d.completed_date <= d.deadline_date), 0) as processed_on_time,
        coalesce(sum(d.documents) filter (
            where d.completed_date > d.deadline_date
                and d.completed_date <= touched_pairs.period_end
        ), 0) as processed_late,
        coalesce(sum(d.documents) filter (
            where d.completed_date is null
                or d.completed_date > touched_pairs.period_end
        ), 0) as overdue_open
    from touched_pairs
    inner join deadline_days as d
        on d.agency_code = touched_pairs.agency_code
        and d.deadline_date between touched_pairs.period_start and touched_pairs.period_end
    group by 1, 2
),

figures as (
    select
        touched_pairs.*,
        coalesce(register_figures.outgoing, 0) as outgoing,
        coalesce(register_figures.outgoing_electronic, 0) as outgoing_electronic,
        coalesce(register_figures.outgoing_parallel, 0) as outgoing_parallel,
        coalesce(register_figures.outgoing_paper, 0) as outgoing_paper,
        coalesce(register_figures.outgoing_signed, 0) as outgoing_signed,
        coalesce(register_figures.outgoing_via_axis, 0) as outgoing_via_axis,
        coalesce(register_figures.incoming, 0) as incoming,
        coalesce(deadline_figures.with_deadline, 0) as with_deadline,
        coalesce(deadline_figures.processed_on_time, 0) as processed_on_time,
        coalesce(deadline_figures.processed_late, 0) as processed_late,
        coalesce(deadline_figures.overdue_open, 0) as overdue_open
    from touched_pairs
    left join register_figures
        on register_figures.period_key = touched_pairs.period_key
        and register_figures.agency_code = touched_pairs.agency_code
    left join deadline_figures
        on deadline_figures.period_key = touched_pairs.period_key
        and deadline_figures.agency_code = touched_pairs.agency_code
),

final as (
    select
        period_convention::text as period_convention,
        period_type::text as period_type,
        period_label::text as period_label,
        agency_code::text as agency_code,
        period_key::text as period_key,
        period_start::date as period_start,
        period_end::date as period_end,
        outgoing::bigint as outgoing,
        outgoing_electronic::bigint as outgoing_electronic,
        outgoing_parallel::bigint as outgoing_parallel,
        outgoing_paper::bigint as outgoing_paper,
        outgoing_signed::bigint as outgoing_signed,
        outgoing_via_axis::bigint as outgoing_via_axis,
        incoming::bigint as incoming,
        with_deadline::bigint as with_deadline,
        processed_on_time::bigint as processed_on_time,
        processed_late::bigint as processed_late,
        overdue_open::bigint as overdue_open,
        case
            when processed_on_time + processed_late > 0
                then 100.0 * processed_on_time / (processed_on_time + processed_late)
        end::numeric as processing_on_time_rate
    from figures
    where outgoing <> 0
        or incoming <> 0
        or with_deadline <> 0
)

select * from final
