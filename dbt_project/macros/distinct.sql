{#- The distinct non-null values of `column` in `relation`, found by one index probe per value (a
    loose index scan, written as a recursive query since PostgreSQL has no skip scan before 18)
    instead of reading every row: the distinct snapshot days or codes of the daily snapshot
    tables cost the same with one year of snapshots or with ten. `relation` needs a btree index
    leading with `column` (a partial index whose predicate is `where`, when given). A subquery
    with one column named `column`. -#}
{% macro loose_distinct(relation, column, where=none) -%}
(
    with recursive found as (
        (
            select {{ column }} from {{ relation }}
            where {{ column }} is not null{% if where %} and {{ where }}{% endif %}
            order by {{ column }} limit 1
        )
        union all
        select (
            select s.{{ column }}
            from {{ relation }} as s
            where s.{{ column }} > found.{{ column }}{% if where %} and {{ where }}{% endif %}
            order by s.{{ column }}
            limit 1
        )
        from found
        where found.{{ column }} is not null
    )

    select {{ column }} from found where {{ column }} is not null
)
{%- endmacro %}

{#- The agency codes of every directory snapshot (stg_portal__agencies). -#}
{% macro directory_agency_codes() -%}
{{ loose_distinct(ref('stg_portal__agencies'), 'agency_code') }}
{%- endmacro %}

{#- The procedure codes of every catalogue snapshot (stg_portal__procedures). -#}
{% macro catalogue_procedure_codes() -%}
{{ loose_distinct(ref('stg_portal__procedures'), 'procedure_code') }}
{%- endmacro %}
