-- Online share of received dossiers (tỷ lệ hồ sơ tiếp nhận trực tuyến) by period, province
-- totals: received online (KenhThucHien 2) / received (accepted in the period), in percent.
select
    period_label,
    period_start,
    sum(received) as received,
    sum(received_online) as received_online,
    round(100.0 * sum(received_online) / nullif(sum(received), 0), 2) as online_share
from marts.rpt_dossier_resolution
where period_convention = {{period_convention}}
    and period_type = {{period_type}}
group by period_label, period_start
order by period_start
