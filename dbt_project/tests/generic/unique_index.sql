{#- The database itself refuses a second row with the same `columns`: the model has a valid unique
    index (or primary key) on exactly them. For the large facts this replaces counting duplicates
    over the whole table every night (2 s for fct_documents_exchanged at three years, growing
    with history): a duplicate cannot be written at all, and the test fails if the index is
    dropped or was never built. -#}
{% test unique_index(model, columns) %}
select '{{ columns | join(", ") }}' as columns_without_unique_index
where not exists (
    select 1
    from pg_index i
    where i.indrelid = '"{{ model.schema }}"."{{ model.identifier }}"'::regclass
        and i.indisunique
        and i.indisvalid
        and i.indpred is null
        and (
            select array_agg(a.attname::text order by k.n)
            from unnest(i.indkey::int2[]) with ordinality as k (attnum, n)
            join pg_attribute as a on a.attrelid = i.indrelid and a.attnum = k.attnum
            where k.n <= i.indnkeyatts
        ) = array[{% for c in columns %}'{{ c }}'{% if not loop.last %}, {% endif %}{% endfor %}]::text[]
)
{% endtest %}
