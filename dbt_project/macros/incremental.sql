{#- Incremental bookkeeping (tables created by on-run-start).

    raw -> footprints: a model reads the published batches it has not read before
    (intermediate.cchc_batches_read holds, per model, the batches its last successful build read),
    and re-reads the entities whose stored export days include a day of such a batch (a re-sent
    day replaces content). A set of batch ids, not a time window: a batch whose publication
    committed late is still unread, and the first build after a backfill reads nothing again.
    footprints -> marts: every footprint row changed in a run carries changed_at = the run's
    start; a mart recomputes what the footprints changed since its own `consumed_until`
    (intermediate.cchc_build_watermarks). -#}

{% macro watermark_table() -%}
intermediate.cchc_build_watermarks
{%- endmacro %}

{% macro batches_read_table() -%}
intermediate.cchc_batches_read
{%- endmacro %}

{#- The published batches (of `system`, when given) that `model_name` has not read yet. The
    published batches are stg_audit__published_batches, a table built once at the start of the
    run, so every model of a run reads, and records, the same set. -#}
{% macro unread_batches(model_name, system=none) -%}
select b.batch_id
from {{ ref('stg_audit__published_batches') }} as b
where not exists (
        select 1 from {{ batches_read_table() }} as r
        where r.model_name = '{{ model_name }}' and r.batch_id = b.batch_id
    )
    {%- if system %}
    and b.system = '{{ system }}'
    {%- endif %}
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

{#- Post-hook: record what this build has read and consumed. The batches read are the run's
    published batches (a full build reads every published batch, an incremental one the unread
    ones); batches no longer published leave the set, so it stays as long as the published list. -#}
{% macro record_watermark(model_name) -%}
insert into {{ watermark_table() }} (model_name, consumed_until, as_of_date, updated_at)
select
    '{{ model_name }}',
    {{ run_stamp() }},
    s.as_of_date,
    now()
from {{ ref('int_warehouse_as_of') }} as s
on conflict (model_name) do update set
    consumed_until = excluded.consumed_until,
    as_of_date = excluded.as_of_date,
    updated_at = excluded.updated_at;
delete from {{ batches_read_table() }} as r
where r.model_name = '{{ model_name }}'
    and not exists (select 1 from {{ ref('stg_audit__published_batches') }} as b where b.batch_id = r.batch_id);
insert into {{ batches_read_table() }} (model_name, batch_id)
select '{{ model_name }}', b.batch_id
from {{ ref('stg_audit__published_batches') }} as b
on conflict do nothing
{%- endmacro %}


{#- Pre-hook: keep the keys an incremental run rebuilds in a temporary table, computed once
    before the rows are deleted (a key list read from the target after the delete would miss
    the deleted rows). -#}
{% macro stash_keys(temp_name, keys_sql) -%}
drop table if exists {{ temp_name }};
create temporary table {{ temp_name }} as {{ keys_sql }};
analyze {{ temp_name }}
{%- endmacro %}


{#- The rows whose `key` is one of the stashed keys, as an array: the planner probes the key's
    index once per key. Written `key in (select ...)`, it sized the match from the key column's
    n_distinct, which ANALYZE's sample puts far below the truth for document ids (72,973
    estimated, 1.1 M real at three years), and scanned the whole table: the nightly build's
    docmgmt deletes took 14 s at three years, growing with history, and 1.9 s as probes.
    Only where the rows feed no join (a delete, a lookup into an array, an aggregate of one
    table): the planner takes an array of a subquery for 10 keys, and rows it thinks are few
    get joined by a nested loop, quadratic when the keys are a whole backfill's (commit c379fd1:
    an hour in int_document_exchanges). Rows that feed a join: `stash_rows`. -#}
{% macro is_stashed(key, temp_name) -%}
{{ key }} = any(array(select {{ key }} from {{ temp_name }}))
{%- endmacro %}

{#- Pre-hook: the rows of `relation` whose `key` is one of the stashed keys, copied into a
    temporary table and analyzed, for a model that joins them: the joins are planned from the
    rows' real number. Read where they are (`key in (select ...)`), the rows were sized from the
    key column's n_distinct (above) and scanned whole: a re-sent recent day at two years,
    int_document_footprints 9.1 -> 3.2 s and int_document_exchanges 3.7 -> 1.1 s. Read as an
    array, they are taken for a few and nested-loop joined. -#}
{% macro stash_rows(temp_name, relation, key, keys_temp_name) -%}
{{ stash_keys(temp_name, 'select * from ' ~ relation ~ ' where ' ~ is_stashed(key, keys_temp_name)) }}
{%- endmacro %}

{#- Pre-hook: delete the target's rows of the stashed keys. -#}
{% macro delete_stashed_keys(key, temp_name) -%}
delete from {{ this }} where {{ is_stashed(key, temp_name) }}
{%- endmacro %}


{#- Post-hooks, VACUUM outside the model's transaction: it marks the table's pages all-visible,
    so that a province-year slice over a fact is an index-only scan of a covering index (columns
    in the model's `indexes`) instead of a scan of the wide rows; a nightly run's vacuum visits
    only the pages it changed (60 ms on three years of facts). ANALYZE gives the planner the new
    rows' statistics, but samples the whole table (0.5-0.9 s a fact at three years, every night,
    the part of a build with nothing new that grew with history): it runs only once more than 2 %
    of the rows changed since the last one (a first build, a full refresh, a few weeks of nights),
    as autovacuum would at 10 %. -#}
{% macro vacuum_for_index_only_scans() -%}
{#- raw: `this` is rendered when the hook runs, not when the model's config is parsed -#}
{%- set analyze_when_changed -%}{% raw %}
do $$
begin
    if coalesce((
        select s.n_mod_since_analyze::float8 / nullif(s.n_live_tup, 0)
        from pg_stat_user_tables s
        where s.relid = '"{{ this.schema }}"."{{ this.identifier }}"'::regclass
            and coalesce(s.last_analyze, s.last_autoanalyze) is not null
    ), 1) > 0.02 then
        analyze {{ this }};
    end if;
end
$$
{% endraw %}{%- endset -%}
{{ return([
    {"sql": "vacuum {{ this }}", "transaction": false},
    {"sql": analyze_when_changed, "transaction": true},
]) }}
{%- endmacro %}


{#- Post-hook: a partial index (dbt's `indexes` config has no WHERE). The rebuild checks look up
    the few rows a condition selects (codes not in the directory yet) through it instead of
    scanning the table. -#}
{% macro partial_index(suffix, column, where) -%}
create index if not exists {{ this.identifier ~ '_' ~ suffix }} on {{ this }} ({{ column }}) where {{ where }}
{%- endmacro %}
