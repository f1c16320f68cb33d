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
    pre_hook=["{% if is_incremental() %}delete from {{ this }} as t using ({{ touched_period_pairs(this.name, ref('int_dossier_footprints'), dossier_agencies_sql(), false) }}) as tp where t.period_key = tp.period_key and t.agency_code = tp.agency_code{% endif %}"],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('int_dossier_footprints') }}

{# Figures by (agency, day) turned into running totals on a daily grid: every figure of a
    period [s, e] is a difference of running totals at e and s - 1, and the stocks (carried
    over, pending, pending overdue) are running totals at s - 1 and e. #}

with dossiers as (
    select * from {{ ref('int_dossiers_classified') }}
),

touched_pairs as (
    {{ touched_period_pairs(this.name, ref('int_dossier_footprints'), dossier_agencies_sql(), not is_incremental()) }}
),

touched_agencies as (
    select
        agency_code,
        max(period_end) as grid_end
    from touched_pairs
    group by agency_code
),

grid_floor as (
    -- the day before the earliest touched period: every figure is a running total on or after
    -- it, so earlier events are added up on it
    select min(period_start) - 1 as floor_date from touched_pairs
),

counted as (
    -- a dossier whose every event falls on or before the floor adds the same amount to every
    -- running total read (received and ended: nothing to the stocks), so it changes no figure:
    -- an incremental run reads the dossiers still open or ended since the floor, not the history
    select dossiers.*
    from dossiers
    inner join touched_agencies
        on touched_agencies.agency_code = dossiers.agency_code
    where (
            dossiers.is_received
            and (dossiers.counted_end_date is null
                 or dossiers.counted_end_date > (select floor_date from grid_floor))
        )
        or (
            dossiers.is_not_accepted
            and dossiers.submitted_date > (select floor_date from grid_floor)
        )
),

events as (
    -- received: +1 to the stock of open dossiers on the acceptance day
    select agency_code, accepted_date as event_date,
           1 as received, (channel_code = 2)::int as received_online, (channel_code = 3)::int as received_by_post,
           0 as resolved_early, 0 as resolved_on_time, 0 as resolved_late, 0 as withdrawn_or_stopped,
           0 as not_accepted, 1 as open_delta, 0 as overdue_delta
    from counted where is_received
    union all
    -- ended: -1 on the (clock-error-safe) end day, classified by the final status and dates
    select agency_code, counted_end_date,
           0, 0, 0,
           (timeliness = 'truoc_han')::int, (timeliness = 'dung_han')::int, (timeliness = 'qua_han')::int,
           (outcome = 'withdrawn_or_stopped')::int,
           0, -1, 0
    from counted where is_received and counted_end_date is not null
    union all
    -- not accepted (status 3): the day it was submitted
    select agency_code, submitted_date,
           0, 0, 0, 0, 0, 0, 0,
           1, 0, 0
    from counted where is_not_accepted and submitted_date is not null
    union all
    -- open and past due: from the first overdue day until the end
    select agency_code, overdue_from_date,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from counted
    where is_received and overdue_from_date is not null
        and (counted_end_date is null or counted_end_date > overdue_from_date)
    union all
    select agency_code, counted_end_date,
           0, 0, 0, 0, 0, 0, 0, 0, 0, -1
    from counted
    where is_received and overdue_from_date is not null
        and counted_end_date > overdue_from_date
),

daily as (
    select
        events.agency_code,
        greatest(events.event_date, grid_floor.floor_date) as event_date,
        sum(received) as received,
        sum(received_online) as received_online,
        sum(received_by_post) as received_by_post,
        sum(resolved_early) as resolved_early,
        sum(resolved_on_time) as resolved_on_time,
        sum(resolved_late) as resolved_late,
        sum(withdrawn_or_stopped) as withdrawn_or_stopped,
        sum(not_accepted) as not_accepted,
        sum(open_delta) as open_delta,
        sum(overdue_delta) as overdue_delta
    from events
    cross join grid_floor
    group by 1, 2
),

grid as (
    select
        touched_agencies.agency_code,
        day::date as grid_date
    from touched_agencies
    inner join (
        select agency_code, min(event_date) as first_date from daily group by agency_code
    ) as starts
        on starts.agency_code = touched_agencies.agency_code
    cross join lateral generate_series(starts.first_date, touched_agencies.grid_end, interval '1 day') as day
),

running as (
    select
        grid.agency_code,
        grid.grid_date,
        sum(coalesce(daily.received, 0)) over w as received,
        sum(coalesce(daily.received_online, 0)) over w as received_online,
        sum(coalesce(daily.received_by_post, 0)) over w as received_by_post,
        sum(coalesce(daily.resolved_early, 0)) over w as resolved_early,
        sum(coalesce(daily.resolved_on_time, 0)) over w as resolved_on_time,
        sum(coalesce(daily.resolved_late, 0)) over w as resolved_late,
        sum(coalesce(daily.withdrawn_or_stopped, 0)) over w as withdrawn_or_stopped,
        sum(coalesce(daily.not_accepted, 0)) over w as not_accepted,
        sum(coalesce(daily.open_delta, 0)) over w as open_dossiers,
        sum(coalesce(daily.overdue_delta, 0)) over w as open_overdue
    from grid
    left join daily
        on daily.agency_code = grid.agency_code
        and daily.event_date = grid.grid_date
    window w as (partition by grid.agency_code order by grid.grid_date)
),

figures as (
    select
        tp.period_key,
        tp.period_convention,
        tp.period_type,
        tp.period_label,
        tp.agency_code,
        tp.period_start,
        tp.period_end,
        coalesce(b.open_dossiers, 0) as carried_over,
        coalesce(e.received_online, 0) - coalesce(b.received_online, 0) as received_online,
        coalesce(e.received, 0) - coalesce(b.received, 0) as received,
        coalesce(e.received_by_post, 0) - coalesce(b.received_by_post, 0) as received_by_post,
        coalesce(e.resolved_early, 0) - coalesce(b.resolved_early, 0) as resolved_early,
        coalesce(e.resolved_on_time, 0) - coalesce(b.resolved_on_time, 0) as resolved_on_time,
        coalesce(e.resolved_late, 0) - coalesce(b.resolved_late, 0) as resolved_late,
        coalesce(e.withdrawn_or_stopped, 0) - coalesce(b.withdrawn_or_stopped, 0) as withdrawn_or_stopped,
        coalesce(e.open_dossiers, 0) as pending,
        coalesce(e.open_overdue, 0) as pending_overdue,
        coalesce(e.not_accepted, 0) - coalesce(b.not_accepted, 0) as not_accepted
    from touched_pairs as tp
    left join running as e
        on e.agency_code = tp.agency_code
        and e.grid_date = tp.period_end
    left join running as b
        on b.agency_code = tp.agency_code
        and b.grid_date = tp.period_start - 1
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
        carried_over::bigint as carried_over,
        received_online::bigint as received_online,
        (received - received_online)::bigint as received_in_person_or_post,
        received_by_post::bigint as received_by_post,
        received::bigint as received,
        (carried_over + received)::bigint as total_to_handle,
        resolved_early::bigint as resolved_early,
        resolved_on_time::bigint as resolved_on_time,
        resolved_late::bigint as resolved_late,
        (resolved_early + resolved_on_time + resolved_late)::bigint as resolved,
        withdrawn_or_stopped::bigint as withdrawn_or_stopped,
        (pending - pending_overdue)::bigint as pending_within_deadline,
        pending_overdue::bigint as pending_overdue,
        pending::bigint as pending,
        not_accepted::bigint as not_accepted,
        case
            when resolved_early + resolved_on_time + resolved_late > 0
                then 100.0 * (resolved_early + resolved_on_time)
                    / (resolved_early + resolved_on_time + resolved_late)
        end::numeric as on_time_rate
    from figures
    where carried_over <> 0
        or received <> 0
        or resolved_early + resolved_on_time + resolved_late <> 0
        or withdrawn_or_stopped <> 0
        or pending <> 0
        or not_accepted <> 0
)

select * from final
