-- rpt_document_exchange: with_deadline = processed_on_time + processed_late + overdue_open,
-- and the sending forms never exceed the outgoing documents.
with exchange as (
    select * from {{ ref('rpt_document_exchange') }}
),

final as (
    select *
    from exchange
    where with_deadline <> processed_on_time + processed_late + overdue_open
        or outgoing_electronic + outgoing_parallel + outgoing_paper > outgoing
        or outgoing_signed > outgoing
        or outgoing_via_axis > outgoing
)

select * from final
