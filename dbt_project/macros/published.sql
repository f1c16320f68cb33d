{#- Rows of published batches only (audit.load_batches.status = 'published'). -#}
{% macro published_rows(table_name) -%}
select
    r.*
from {{ source('raw', table_name) }} as r
inner join {{ source('audit', 'load_batches') }} as b
    on b.batch_id = r._batch_id
where b.status = 'published'
{%- endmacro %}
