with published_batches as (
    select * from {{ ref('stg_audit__published_batches') }}
),

province as (
    -- the province the exports are of (manifest province_code); the most frequent one
    select province_code
    from published_batches
    where province_code is not null
    group by province_code
    order by count(*) desc, max(export_date) desc, province_code
    limit 1
),

final as (
    select
        (select max(export_date) from published_batches) as as_of_date,
        (select province_code from province) as province_code
)

select * from final
