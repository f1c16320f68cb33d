{#- Row-count test of a raw table: for every published batch whose file was recorded in
    audit.batch_files for this raw table, the rows in raw equal rows_loaded. The batches are
    batches_to_check() (macros/checks.sql): every one on --full-refresh, the batches the run
    builds from on a nightly build. -#}
{% test rows_match_batch_files(model, raw_table) %}
-- depends_on: {{ ref('stg_audit__published_batches') }}
with files as (
    select
        f.batch_id,
        f.file_name,
        f.rows_loaded
    from {{ source('audit', 'batch_files') }} as f
    inner join {{ source('audit', 'load_batches') }} as b
        on b.batch_id = f.batch_id
    where b.batch_id in ({{ batches_to_check() }})
        and regexp_replace(coalesce(f.raw_table, ''), '^raw\.', '') = '{{ raw_table }}'
),

loaded as (
    select
        _batch_id as batch_id,
        count(*) as rows_in_raw
    from {{ model }}
    where _batch_id = any(array(select batch_id from files))
    group by _batch_id
),

final as (
    select
        files.batch_id,
        files.file_name,
        files.rows_loaded,
        coalesce(loaded.rows_in_raw, 0) as rows_in_raw
    from files
    left join loaded
        on loaded.batch_id = files.batch_id
    where files.rows_loaded <> coalesce(loaded.rows_in_raw, 0)
)

select * from final
{% endtest %}
