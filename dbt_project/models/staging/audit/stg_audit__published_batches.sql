with load_batches as (
    select * from {{ source('audit', 'load_batches') }}
),

final as (
    select
        batch_id,
        system,
        export_date,
        nullif(btrim(province_code), '') as province_code,
        generated_at,
        published_at,
        arrived_late
    from load_batches
    where status = 'published'
)

select * from final
