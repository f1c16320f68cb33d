-- The parts of each figure of rpt_dossier_resolution add up to it.
with resolution as (
    select * from {{ ref('rpt_dossier_resolution') }}
),

final as (
    select *
    from resolution
    where received <> received_online + received_in_person_or_post
        or received_by_post > received_in_person_or_post
        or total_to_handle <> carried_over + received
        or resolved <> resolved_early + resolved_on_time + resolved_late
        or pending <> pending_within_deadline + pending_overdue
        or least(carried_over, received_online, received_in_person_or_post, received_by_post,
                 resolved_early, resolved_on_time, resolved_late, withdrawn_or_stopped,
                 pending_within_deadline, pending_overdue, not_accepted) < 0
        or (resolved = 0) <> (on_time_rate is null)
)

select * from final
