-- On-time rate (tỷ lệ giải quyết đúng hạn) by agency and period, from the official form
-- "tình hình, kết quả giải quyết TTHC" (marts.rpt_dossier_resolution). Agencies as coded at the
-- time (history is never restated here); the name shown is the code's latest one in dim_agency,
-- or the code itself for codes missing from the directory. Only rows where something was resolved.
with agency_names as (
    select distinct on (agency_code)
        agency_code,
        agency_name
    from marts.dim_agency
    order by agency_code, valid_from desc
)

select
    r.period_label,
    r.period_start,
    r.agency_code,
    coalesce(a.agency_name, r.agency_code) as agency_name,
    r.resolved,
    r.resolved_early + r.resolved_on_time as resolved_in_time,
    r.resolved_late,
    round(r.on_time_rate, 2) as on_time_rate
from marts.rpt_dossier_resolution as r
left join agency_names as a
    on a.agency_code = r.agency_code
where r.period_convention = {{period_convention}}
    and r.period_type = {{period_type}}
    and r.resolved > 0
order by r.period_start desc, on_time_rate, r.agency_code
