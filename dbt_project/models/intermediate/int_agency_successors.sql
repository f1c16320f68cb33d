with recursive agencies as (
    select * from {{ ref('stg_portal__agencies') }}
),

latest as (
    -- each code's successor as its latest directory snapshot names it
    select distinct on (agency_code)
        agency_code,
        successor_agency_code
    from agencies
    order by agency_code, snapshot_date desc
),

chain as (
    select
        agency_code,
        agency_code as current_agency_code,
        0 as depth
    from latest
    union all
    select
        chain.agency_code,
        latest.successor_agency_code as current_agency_code,
        chain.depth + 1 as depth
    from chain
    inner join latest
        on latest.agency_code = chain.current_agency_code
    where latest.successor_agency_code is not null
        and latest.successor_agency_code <> latest.agency_code
        and chain.depth < 20
),

final as (
    select distinct on (agency_code)
        agency_code,
        current_agency_code,
        depth as successor_steps
    from chain
    order by agency_code, depth desc
)

select * from final
