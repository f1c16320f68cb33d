-- Province on-time rate (tỷ lệ giải quyết đúng hạn) by period.
-- Province totals are sums over agencies (reporting-contract.md), so the rate is recomputed from
-- the summed counts: 100 x (early + on the day) / resolved; null when nothing was resolved.
-- Read by the bi_reader role: marts only. {{period_convention}} and {{period_type}} are
-- Metabase text variables (dashboard filters).
select
    period_label,
    period_start,
    sum(resolved) as resolved,
    sum(resolved_early + resolved_on_time) as resolved_in_time,
    round(100.0 * sum(resolved_early + resolved_on_time) / nullif(sum(resolved), 0), 2) as on_time_rate
from marts.rpt_dossier_resolution
where period_convention = {{period_convention}}
    and period_type = {{period_type}}
group by period_label, period_start
order by period_start
