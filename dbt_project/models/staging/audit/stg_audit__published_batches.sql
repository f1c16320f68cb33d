{#- A table, not a view like the rest of staging: built once at the start of a run, it is the set
    of published batches every incremental model of the run reads and records as read (see
    macros/incremental.sql), whatever a load publishes meanwhile. -#}
{{ config(materialized='table') }}

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
