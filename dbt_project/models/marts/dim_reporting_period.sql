{{ config(
    indexes=[
        {'columns': ['period_key'], 'unique': true},
        {'columns': ['period_start', 'period_end']},
    ],
) }}

with years as (
    select generate_series({{ var('period_first_year') }}, {{ var('period_last_year') }}) as y
),

months as (
    select generate_series(1, 12) as m
),

nd09 as (
    -- Nghị định 09/2019/NĐ-CP cut-off periods: a period ends on the 14th and starts on the 15th
    select 'month' as period_type, y as period_year, y || '-' || lpad(m::text, 2, '0') as period_label,
           (make_date(y, m, 15) - interval '1 month')::date as period_start, make_date(y, m, 14) as period_end
    from years cross join months
    union all
    select 'quarter', y, y || '-Q' || q,
           (make_date(y, q * 3, 15) - interval '3 months')::date, make_date(y, q * 3, 14)
    from years cross join generate_series(1, 4) as q
    union all
    select 'half_year', y, y || '-H1', make_date(y - 1, 12, 15), make_date(y, 6, 14)
    from years
    union all
    select 'nine_months', y, y || '-9M', make_date(y - 1, 12, 15), make_date(y, 9, 14)
    from years
    union all
    select 'year', y, y::text, make_date(y - 1, 12, 15), make_date(y, 12, 14)
    from years
),

calendar as (
    select 'month' as period_type, y as period_year, y || '-' || lpad(m::text, 2, '0') as period_label,
           make_date(y, m, 1) as period_start, (make_date(y, m, 1) + interval '1 month - 1 day')::date as period_end
    from years cross join months
    union all
    select 'quarter', y, y || '-Q' || q,
           make_date(y, q * 3 - 2, 1), (make_date(y, q * 3 - 2, 1) + interval '3 months - 1 day')::date
    from years cross join generate_series(1, 4) as q
    union all
    select 'half_year', y, y || '-H' || h,
           make_date(y, h * 6 - 5, 1), (make_date(y, h * 6 - 5, 1) + interval '6 months - 1 day')::date
    from years cross join generate_series(1, 2) as h
    union all
    select 'nine_months', y, y || '-9M', make_date(y, 1, 1), make_date(y, 9, 30)
    from years
    union all
    select 'year', y, y::text, make_date(y, 1, 1), make_date(y, 12, 31)
    from years
),

unioned as (
    select 'nd09' as period_convention, * from nd09
    union all
    select 'calendar' as period_convention, * from calendar
),

final as (
    select
        period_convention || ':' || period_type || ':' || period_label as period_key,
        period_convention::text as period_convention,
        period_type::text as period_type,
        period_label::text as period_label,
        period_year::integer as period_year,
        period_start::date as period_start,
        period_end::date as period_end,
        (period_end - period_start + 1)::integer as days_in_period
    from unioned
)

select * from final
