{{ config(
    indexes=[{'columns': ['date_day']}],
) }}

with periods as (
    select * from {{ ref('dim_reporting_period') }}
),

days as (
    select date_day from {{ ref('dim_date') }}
),

final as (
    select
        days.date_day,
        periods.period_key,
        periods.period_convention,
        periods.period_type,
        periods.period_label,
        periods.period_start,
        periods.period_end
    from days
    inner join periods
        on days.date_day between periods.period_start and periods.period_end
)

select * from final
