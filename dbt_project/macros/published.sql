{#- Rows of published batches only (audit.load_batches.status = 'published'). -#}
{% macro published_rows(table_name) -%}
select
    r.*
from {{ source('raw', table_name) }} as r
inner join {{ source('audit', 'load_batches') }} as b
    on b.batch_id = r._batch_id
where b.status = 'published'
{%- endmacro %}

{#- Restricts published raw rows (alias r) to the batches holding a row of one of the keys
    `keys_sql` selects, found in the raw-ids model `ids_model`: an incremental run re-reads
    those batches, not every batch of history. The batches are built as an array first, so that
    the planner looks them up through raw's _batch_id index instead of scanning raw and joining
    (it cannot know how few batches a night's keys span). The keys are an array too: they feed
    no join, so the ids model's key index is probed once per key (`is_stashed`); as a semi-join
    the planner scanned the whole ids model (4.6 M rows at three years, about a second a model). -#}
{% macro in_batches_of(ids_model, key_column, keys_sql) -%}
r._batch_id = any(array(
    select distinct i.batch_id
    from {{ ref(ids_model) }} as i
    where i.{{ key_column }} = any(array({{ keys_sql }}))
))
{%- endmacro %}

{#- The batches that are not (or no longer) published: superseded by a re-sent day, rejected,
    abandoned. Staged rows are looked up by these through their batch_id index, so finding the
    rows of a day re-sent costs the same whatever the history's length (a `not in` the
    published batches would scan every staged row). Callers write `batch_id = any(array(...))`:
    as `in (select ...)` the planner sized the match from load_batches' statistics and scanned
    the 12M staged statuses of three years (2.7 s a night) instead of probing the index (11 ms). -#}
{% macro unpublished_batch_ids() -%}
select batch_id from {{ source('audit', 'load_batches') }} where status <> 'published'
{%- endmacro %}

{#- Restricts published raw rows (alias r) to the published batches `model_name` has not read,
    as an array first so that raw's _batch_id index serves it. -#}
{% macro in_unread_batches(model_name) -%}
r._batch_id = any(array({{ unread_batches(model_name) }}))
{%- endmacro %}
