-- Additive indicators at province scope are at least the sum over agencies (ratings of unknown
-- dossiers count at province scope only) and equal it for dossier and document counts.
with indicators as (
    select * from {{ ref('rpt_cchc_indicators') }}
),

agency_sums as (
    select
        report_year,
        indicator_code,
        sum(value) as agency_total
    from indicators
    where scope_level = 'agency'
        and indicator_code in ('III.7.1', 'III.7.2', 'VII.2.1', 'VII.2.2', 'VII.2.3', 'VII.2.4',
                               'VII.3.6', 'VII.3.7', 'VII.9.3', 'VII.9.4', 'I.7.1')
    group by report_year, indicator_code
),

final as (
    select
        p.report_year,
        p.indicator_code,
        p.value as province_value,
        a.agency_total
    from indicators as p
    inner join agency_sums as a
        on a.report_year = p.report_year
        and a.indicator_code = p.indicator_code
    where p.scope_level = 'province'
        and (
            (p.indicator_code <> 'I.7.1' and p.value <> a.agency_total)
            or p.value < a.agency_total
        )
)

select * from final
