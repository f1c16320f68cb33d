-- III.7.3 of every agency and year equals the nd09 year row of rpt_dossier_resolution.
with indicators as (
    select * from {{ ref('rpt_cchc_indicators') }}
    where indicator_code = 'III.7.3'
        and scope_level = 'agency'
),

resolution as (
    select * from {{ ref('rpt_dossier_resolution') }}
    where period_convention = 'nd09'
        and period_type = 'year'
),

final as (
    select
        indicators.report_year,
        indicators.scope_code,
        indicators.numerator,
        indicators.denominator,
        resolution.resolved_early + resolution.resolved_on_time as expected_numerator,
        resolution.resolved as expected_denominator
    from indicators
    left join resolution
        on resolution.period_label = indicators.report_year::text
        and resolution.agency_code = indicators.scope_code
    where indicators.denominator <> coalesce(resolution.resolved, 0)
        or indicators.numerator <> coalesce(resolution.resolved_early + resolution.resolved_on_time, 0)
)

select * from final
