{{ config(
    indexes=[{'columns': ['date_day'], 'unique': true}],
) }}

with days as (
    select generate_series(
        make_date({{ var('period_first_year') }} - 1, 12, 15),
        make_date({{ var('period_last_year') }}, 12, 31),
        interval '1 day'
    )::date as date_day
),

shifted as (
    -- nd09 periods end on the 14th: from the 15th on, a day belongs to the next month's period
    select
        date_day,
        case
            when extract(day from date_day) >= 15 then (date_day + interval '1 month')::date
            else date_day
        end as nd09_month_day
    from days
),

final as (
    select
        date_day,
        extract(isodow from date_day)::integer as iso_day_of_week,
        extract(isodow from date_day) in (6, 7) as is_weekend,
        extract(year from date_day)::integer as calendar_year,
        to_char(date_day, 'YYYY-MM') as calendar_month_label,
        to_char(date_day, 'YYYY') || '-Q' || extract(quarter from date_day)::integer as calendar_quarter_label,
        extract(year from nd09_month_day)::integer as nd09_year,
        to_char(nd09_month_day, 'YYYY-MM') as nd09_month_label,
        to_char(nd09_month_day, 'YYYY') || '-Q' || extract(quarter from nd09_month_day)::integer as nd09_quarter_label
    from shifted
)

select * from final
