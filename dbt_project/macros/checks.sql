{#- The published batches a build's row checks look at: those the run builds from
    (stg_audit__published_batches.is_new_in_run: not yet read by every incremental model when
    the run started), so that a night's checks cost the same whatever the length of history,
    and the first build after a backfill checks the whole backfill. A `--full-refresh` build
    (or `--vars '{all_batch_checks: true}'`) checks every published batch. The loader has
    reconciled every batch with its manifest when it loaded it; these checks find what changed
    in the warehouse after. A `dbt test` on its own checks the batches of the last build.

    The table is found in the graph, not through ref(): the checks are built-in tests whose
    dependencies dbt infers before this macro runs (their models depend on the table). -#}
{% macro batches_to_check() -%}
{%- if flags.FULL_REFRESH or var('all_batch_checks', false) -%}
select b.batch_id from {{ source('audit', 'load_batches') }} as b where b.status = 'published'
{%- else -%}
select b.batch_id from {{ published_batches_relation() }} as b where b.is_new_in_run
{%- endif -%}
{%- endmacro %}

{% macro published_batches_relation() -%}
{%- if execute -%}
{%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == 'stg_audit__published_batches' -%}
{{ node.relation_name }}
{%- endfor -%}
{%- endif -%}
{%- endmacro %}

{#- dbt's get_where_subquery, with one placeholder a test's `where` config can name (yml configs
    cannot call macros): __batches_to_check__ becomes an array of batches_to_check(), as in
    `where: "batch_id = any(__batches_to_check__)"` on a staged model with a batch_id column
    (an array, so that the planner reads the few rows through the batch_id index instead of
    scanning the table for a semi-join whose size it cannot know). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- if '__batches_to_check__' in where -%}
            {%- set where = where | replace('__batches_to_check__', 'array(' ~ batches_to_check() ~ ')') -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
