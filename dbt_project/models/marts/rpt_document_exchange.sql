{{ config(
    materialized='incremental',
    unique_key=['period_convention', 'period_type', 'period_label', 'agency_code'],
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    indexes=[
        {'columns': ['period_convention', 'period_type', 'period_label', 'agency_code'], 'unique': true},
        {'columns': ['agency_code', 'period_convention', 'period_type', 'period_start']},
        {'columns': ['period_convention', 'period_type', 'period_start']},
    ],
    pre_hook=["{% if is_incremental() %}delete from {{ this }} as t using ({{ touched_period_pairs(this.name, ref('int_document_footprints'), document_agencies_sql(), false) }}) as tp where t.period_key = tp.period_key and t.agency_code = tp.agency_code{% endif %}"],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('int_document_footprints') }}

{# stg_docmgmt__documents is read in place by register_days and deadlines (a CTE read twice
   would be materialized whole before their date filters apply). #}

with status_firsts as (
    select * from {{ ref('int_document_status_firsts') }}
),

date_periods as (
    select * from {{ ref('int_date_periods') }}
),

touched_pairs as (
    {{ touched_period_pairs(this.name, ref('int_document_footprints'), document_agencies_sql(), not is_incremental()) }}
),

touched_agencies as (
    select distinct agency_code from touched_pairs
),

touched_range as (
    -- a row dated outside every touched period cannot count in one: an incremental run reads
    -- the documents of the touched periods' dates, not the whole history
    select
        min(period_start) as from_date,
        max(period_end) as to_date
    from touched_pairs
),

register_days as (
    -- outgoing rows in the sender's register, incoming rows in the recipient's, by sent day
    select
        documents.agency_code,
        documents.sent_date,
        count(*) filter (where direction = 'DI') as outgoing,
        count(*) filter (where direction = 'DI' and sending_form = 'DIEN_TU') as outgoing_electronic,
        count(*) filter (where direction = 'DI' and sending_form = 'SONG_SONG') as outgoing_parallel,
        count(*) filter (where direction = 'DI' and sending_form = 'GIAY') as outgoing_paper,
        count(*) filter (where direction = 'DI' and digitally_signed) as outgoing_signed,
        count(*) filter (where direction = 'DI' and via_national_axis) as outgoing_via_axis,
        count(*) filter (where direction = 'DEN') as incoming
    from {{ ref('stg_docmgmt__documents') }} as documents
    inner join touched_agencies
        on touched_agencies.agency_code = documents.agency_code
    where documents.sent_date between (select from_date from touched_range) and (select to_date from touched_range)
    group by 1, 2
),

deadlines as (
    -- incoming rows with a deadline, with the first 06 their own agency reported
    select
        documents.agency_code,
        documents.deadline_date,
        {{ local_date('status_firsts.completed_at') }} as completed_date
    from {{ ref('stg_docmgmt__documents') }} as documents
    inner join touched_agencies
        on touched_agencies.agency_code = documents.agency_code
    left join status_firsts
        on status_firsts.document_id = documents.document_id
        and status_firsts.reporting_agency_code = documents.agency_code
    where documents.direction = 'DEN'
        and documents.deadline_date between (select from_date from touched_range) and (select to_date from touched_range)
),

register_periods as materialized (
    -- each day's counts placed in the periods containing the day (one per convention and type)
    select
        register_days.*,
        date_periods.period_key
    from register_days
    inner join date_periods
        on date_periods.date_day = register_days.sent_date
),

register_figures as (
    select
        touched_pairs.period_key,
        touched_pairs.agency_code,
        sum(register_periods.outgoing) as outgoing,
        sum(register_periods.outgoing_electronic) as outgoing_electronic,
        sum(register_periods.outgoing_parallel) as outgoing_parallel,
        sum(register_periods.outgoing_paper) as outgoing_paper,
        sum(register_periods.outgoing_signed) as outgoing_signed,
        sum(register_periods.outgoing_via_axis) as outgoing_via_axis,
        sum(register_periods.incoming) as incoming
    from register_periods
    inner join touched_pairs
        on touched_pairs.period_key = register_periods.period_key
        and touched_pairs.agency_code = register_periods.agency_code
    group by 1, 2
),

deadline_periods as materialized (
    select
        deadline_days.*,
        date_periods.period_key,
        date_periods.period_end
    from (
        select
            agency_code,
            deadline_date,
            completed_date,
            count(*) as documents
        from deadlines
        group by 1, 2, 3
    ) as deadline_days
    inner join date_periods
        on date_periods.date_day = deadline_days.deadline_date
),

deadline_figures as (
    select
        touched_pairs.period_key,
        touched_pairs.agency_code,
        sum(d.documents) as with_deadline,
        coalesce(sum(d.documents) filter (where d.completed_date <= d.deadline_date), 0) as processed_on_time,
        coalesce(sum(d.documents) filter (
            where d.completed_date > d.deadline_date
                and d.completed_date <= d.period_end
        ), 0) as processed_late,
        coalesce(sum(d.documents) filter (
            where d.completed_date is null
                or d.completed_date > d.period_end
        ), 0) as overdue_open
    from deadline_periods as d
    inner join touched_pairs
        on touched_pairs.period_key = d.period_key
        and touched_pairs.agency_code = d.agency_code
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
