{#- Versions (SCD type 2) from complete daily snapshots: consecutive snapshot days on which a
    key has the same attributes form one version. A key absent from a snapshot day ends its
    version on its last day seen; a version seen on the latest snapshot day is open (valid_to
    null, is_current true).
    relation: snapshots with columns snapshot_date, <key> and the attributes. -#}
{% macro scd2_from_snapshots(relation, key, attributes, hash_column=none) %}
snapshot_days as (
    select
        snapshot_date,
        dense_rank() over (order by snapshot_date) as day_no
    from (select distinct snapshot_date from {{ relation }}) as d
),

latest_day as (
    select max(day_no) as day_no from snapshot_days
),

hashed as materialized (
    -- narrow rows (key, day, hash), materialized so that the sorts below carry only these: the
    -- islands are found on them, the attributes are joined back once per version
    select
        s.{{ key }},
        s.snapshot_date,
        d.day_no,
        {% if hash_column -%}
        -- rows staged before the column existed have none: hashed here
        coalesce(s.{{ hash_column }}, {{ attribute_hash(attributes, 's') }})
        {%- else -%}
        {{ attribute_hash(attributes, 's') }}
        {%- endif %} as attribute_hash
    from {{ relation }} as s
    inner join snapshot_days as d
        on d.snapshot_date = s.snapshot_date
),

flagged as (
    select
        *,
        case
            when lag(attribute_hash) over by_key is distinct from attribute_hash then 1
            when lag(day_no) over by_key <> day_no - 1 then 1
            else 0
        end as starts_version
    from hashed
    window by_key as (partition by {{ key }} order by day_no)
),

islands as (
    select
        *,
        sum(starts_version) over (partition by {{ key }} order by day_no) as version_no
    from flagged
),

spans as (
    select
        {{ key }},
        version_no,
        min(snapshot_date) as valid_from,
        max(snapshot_date) as last_seen_date,
        max(day_no) as last_day_no,
        count(*) as snapshots_seen
    from islands
    group by {{ key }}, version_no
),

versions as (
    -- attributes are equal within a version: take them from its first day
    select
        spans.{{ key }},
        spans.version_no,
        {% for a in attributes %}
        s.{{ a }},
        {% endfor %}
        spans.valid_from,
        spans.last_seen_date,
        spans.last_day_no,
        spans.snapshots_seen
    from spans
    inner join {{ relation }} as s
        on s.{{ key }} = spans.{{ key }}
        and s.snapshot_date = spans.valid_from
),

versioned as (
    select
        versions.*,
        lead(valid_from) over (partition by {{ key }} order by version_no) as next_valid_from,
        versions.last_day_no = latest_day.day_no as is_current
    from versions
    cross join latest_day
)
{% endmacro %}

{#- md5 of a row's attributes: two snapshot rows with the same hash belong to one version. -#}
{% macro attribute_hash(attributes, alias=none) -%}
md5(row({% for a in attributes %}{{ alias ~ '.' if alias }}{{ a }}{{ ", " if not loop.last }}{% endfor %})::text)
{%- endmacro %}

{#- The attributes whose change starts a new version of a procedure (dim_procedure). -#}
{% macro procedure_version_attributes() -%}
{{ return([
    'procedure_name', 'field_code', 'field_name', 'government_level', 'agency_codes',
    'online_level', 'online_level_raw', 'is_on_national_portal', 'has_fees', 'is_payable_online',
    'offers_postal_service', 'deadline_days', 'is_in_force', 'published_date',
]) }}
{%- endmacro %}
