{#- A table, not a view like the rest of staging: built once at the start of a run, it is the set
    of published batches every incremental model of the run reads and records as read (see
    macros/incremental.sql), whatever a load publishes meanwhile. -#}
{{ config(materialized='table') }}

with load_batches as (
    select * from {{ source('audit', 'load_batches') }}
),

reads as (
    -- what the builds before this run read (intermediate.cchc_batches_read, created by
    -- on-run-start): per batch, how many incremental models read it
    select batch_id, count(*) as models_read
    from {{ batches_read_table() }}
    group by batch_id
),

models as (
    select greatest(count(distinct model_name), 1) as n from {{ batches_read_table() }}
),

final as (
    select
        load_batches.batch_id,
        system,
        export_date,
        nullif(btrim(province_code), '') as province_code,
        generated_at,
        published_at,
        arrived_late,
        -- not yet read by every incremental model: the batches this run builds from (every
        -- published batch on the first build); the night's row checks look at these
        coalesce(reads.models_read, 0) < models.n as is_new_in_run
    from load_batches
    left join reads
        on reads.batch_id = load_batches.batch_id
    cross join models
    where load_batches.status = 'published'
)

select * from final
