{#- Incremental bookkeeping (intermediate.cchc_build_watermarks, created by on-run-start).

    raw -> footprints: a footprint model reads the batches published after its
    `published_until` (less var('incremental_lookback_minutes')), and re-reads the entities whose
    stored export days include a day re-published since then (a re-sent day replaces content).
    footprints -> marts: every footprint row changed in a run carries changed_at = the run's
    start; a mart recomputes what the footprints changed since its own `consumed_until`. -#}

{% macro watermark_table() -%}
intermediate.cchc_build_watermarks
{%- endmacro %}

{% macro published_since(model_name) -%}
(
    coalesce(
        (select w.published_until from {{ watermark_table() }} as w where w.model_name = '{{ model_name }}'),
        '-infinity'::timestamptz
    ) - interval '{{ var("incremental_lookback_minutes") }} minutes'
)
{%- endmacro %}

{% macro consumed_since(model_name) -%}
(
    coalesce(
        (select w.consumed_until from {{ watermark_table() }} as w where w.model_name = '{{ model_name }}'),
        '-infinity'::timestamptz
    )
)
{%- endmacro %}

{% macro previous_as_of(model_name) -%}
(
    select w.as_of_date from {{ watermark_table() }} as w where w.model_name = '{{ model_name }}'
)
{%- endmacro %}

{% macro run_stamp() -%}
'{{ run_started_at.isoformat() }}'::timestamptz
{%- endmacro %}

{#- Post-hook: record what this build has read and consumed. -#}
{% macro record_watermark(model_name) -%}
insert into {{ watermark_table() }} (model_name, published_until, consumed_until, as_of_date, updated_at)
select
    '{{ model_name }}',
    s.published_until,
    {{ run_stamp() }},
    s.as_of_date,
    now()
from {{ ref('int_warehouse_as_of') }} as s
on conflict (model_name) do update set
    published_until = excluded.published_until,
    consumed_until = excluded.consumed_until,
    as_of_date = excluded.as_of_date,
    updated_at = excluded.updated_at
{%- endmacro %}


{#- Pre-hook: keep the keys an incremental run rebuilds in a temporary table, computed once
    before the rows are deleted (a key list read from the target after the delete would miss
    the deleted rows). -#}
{% macro stash_keys(temp_name, keys_sql) -%}
drop table if exists {{ temp_name }};
create temporary table {{ temp_name }} as {{ keys_sql }};
analyze {{ temp_name }}
{%- endmacro %}
