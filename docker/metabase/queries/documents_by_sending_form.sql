-- Outgoing documents by sending form (hình thức gửi) and period, province totals from
-- marts.rpt_document_exchange: fully electronic, electronic in parallel with paper, paper only.
-- One row per (period, form), long format for a stacked bar; labels from the seed
-- ref_document_sending_forms (in marts). Periods with no outgoing document are left out.
with sums as (
    select
        period_label,
        period_start,
        sum(outgoing_electronic) as dien_tu,
        sum(outgoing_parallel) as song_song,
        sum(outgoing_paper) as giay
    from marts.rpt_document_exchange
    where period_convention = {{period_convention}}
        and period_type = {{period_type}}
    group by period_label, period_start
    having sum(outgoing) > 0
),

by_form as (
    select period_label, period_start, 'DIEN_TU' as sending_form, dien_tu as documents from sums
    union all
    select period_label, period_start, 'SONG_SONG', song_song from sums
    union all
    select period_label, period_start, 'GIAY', giay from sums
)

select
    f.period_label,
    f.period_start,
    f.sending_form,
    coalesce(r.sending_form_name_vi, f.sending_form) as sending_form_name_vi,
    f.documents
from by_form as f
left join marts.ref_document_sending_forms as r
    on r.sending_form = f.sending_form
order by f.period_start, f.sending_form
