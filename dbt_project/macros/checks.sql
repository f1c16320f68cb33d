{#- The published batches a build's row checks look at. A `--full-refresh` build (or
    `--vars '{all_batch_checks: true}'`) checks every published batch. Any other build checks
    the batches published in the `batch_check_days` (7) days before the latest publication:
    every batch of a backfill, and of a night those of the last week, so that a nightly build's
    checks cost the same whatever the length of history. The loader reconciles every batch with
    its manifest when it loads it; these checks find what changed in the warehouse after. -#}
{% macro batches_to_check() -%}
select b.batch_id
from {{ source('audit', 'load_batches') }} as b
where b.status = 'published'
    {%- if not (flags.FULL_REFRESH or var('all_batch_checks', false)) %}
    and b.published_at >= (
        select max(l.published_at) - interval '{{ var("batch_check_days", 7) | int }} days'
        from {{ source('audit', 'load_batches') }} as l
        where l.status = 'published'
    )
    {%- endif %}
{%- endmacro %}

{#- dbt's get_where_subquery, with one placeholder a test's `where` config can name (yml configs
    cannot call macros): __batches_to_check__ becomes the subquery batches_to_check(), e.g.
    `where: "batch_id in __batches_to_check__"` on a staged model with a batch_id column. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- if '__batches_to_check__' in where -%}
            {%- set where = where | replace('__batches_to_check__', '(' ~ batches_to_check() ~ ')') -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
