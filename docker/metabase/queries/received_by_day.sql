-- Dossiers received per day (hồ sơ tiếp nhận theo ngày), province totals, over the last 90 days
-- with data: from marts.fct_dossiers_daily (one row per agency and acceptance day), with how
-- many of each day's dossiers were received online and how many are resolved by now.
select
    accepted_date,
    sum(received) as received,
    sum(received_online) as received_online,
    sum(resolved) as resolved
from marts.fct_dossiers_daily
where accepted_date > (select max(accepted_date) from marts.fct_dossiers_daily) - 90
group by accepted_date
order by accepted_date
