{#- Versions (SCD type 2) from complete daily snapshots: consecutive snapshot days on which a
    key has the same attributes form one version. A key absent from a snapshot day ends its
    version on its last day seen; a version seen on the latest snapshot day is open (valid_to
    null, is_current true).

    Two steps, so that a night costs the same with one year of snapshots or with ten:
    - an incremental model of change points (scd2_change_points): one row per (key, snapshot
      day) on which a version starts or ends. Whether a day starts or ends a version depends
      only on that day and its neighbouring snapshot days, so a night recomputes the days it
      wrote and their neighbours (scd2_recompute_days), about five days of rows;
    - the dimension (scd2_from_change_points), rebuilt from the change points, a few rows per
      version, and joined to the snapshots once per version for its attributes. -#}

{#- The snapshot days whose change points a night recomputes: the export days of the `system`
    batches published since `model_name` last read, and the snapshot days before and after each
    (a new latest day ends the versions of the day before it; a late day changes both
    neighbours). -#}
{% macro scd2_recompute_days(relation, model_name, system) -%}
with written as (
    select distinct b.export_date as snapshot_date
    from {{ ref('stg_audit__published_batches') }} as b
    where b.batch_id in ({{ unread_batches(model_name, system) }})
),

with_neighbours as (
    {{ scd2_with_neighbour_days('written', relation) }}
)

select snapshot_date from with_neighbours where snapshot_date is not null
{%- endmacro %}

{#- The snapshot days of the CTE `days` and, for each, the snapshot day of `relation` before it
    and the one after it (null where there is none): one probe of the (snapshot_date, key)
    index each. -#}
{% macro scd2_with_neighbour_days(days, relation) -%}
select d.snapshot_date from {{ days }} as d
union
select (select max(s.snapshot_date) from {{ relation }} as s where s.snapshot_date < d.snapshot_date)
from {{ days }} as d
union
select (select min(s.snapshot_date) from {{ relation }} as s where s.snapshot_date > d.snapshot_date)
from {{ days }} as d
{%- endmacro %}

{#- Change points of the versions of `key` in the snapshots `relation`: rows (key, snapshot_date,
    attribute_hash, starts_version, ends_version) for the days on which a version starts (the
    key was absent from the previous snapshot day, or its attributes differ) or ends (absent
    from the next snapshot day or different there, or no later day yet). An incremental run
    reads the recomputed days (`days_table`, stashed by the pre-hook that deleted their points)
    and the snapshot days either side of them. -#}
{% macro scd2_change_points(relation, key, hash_sql, days_table) %}
with

{% if is_incremental() -%}
recompute as (
    select snapshot_date from {{ days_table }}
),

window_days as (
    {{ scd2_with_neighbour_days('recompute', relation) }}
),

snapshot_rows as (
    select s.*
    from {{ relation }} as s
    where s.snapshot_date in (select w.snapshot_date from window_days as w)
),
{%- else -%}
snapshot_rows as (
    select * from {{ relation }}
),
{%- endif %}

hashed as (
    -- the day's rank among the snapshot days read: every recomputed day is read with the
    -- snapshot days either side of it, so consecutive ranks are consecutive snapshot days
    select
        s.{{ key }},
        s.snapshot_date,
        dense_rank() over (order by s.snapshot_date) as day_no,
        {{ hash_sql }} as attribute_hash
    from snapshot_rows as s
),

flagged as (
    select
        {{ key }},
        snapshot_date,
        attribute_hash,
        (
            lag(attribute_hash) over by_key is distinct from attribute_hash
            or lag(day_no) over by_key <> day_no - 1
        ) as starts_version,
        (
            lead(attribute_hash) over by_key is distinct from attribute_hash
            or lead(day_no) over by_key <> day_no + 1
        ) as ends_version
    from hashed
    window by_key as (partition by {{ key }} order by day_no)
),

final as (
    select *
    from flagged
    where (starts_version or ends_version)
        {%- if is_incremental() %}
        and snapshot_date in (select r.snapshot_date from recompute as r)
        {%- endif %}
)

select * from final
{% endmacro %}

{#- CTEs `snapshot_days` and `versioned` (one row per version: the key, version_no, the
    attributes, valid_from, last_seen_date, day_after_last_seen, snapshots_seen, is_current,
    next_valid_from) from the change points `points` of the snapshots `relation`. -#}
{% macro scd2_from_change_points(points, relation, key, attributes) %}
snapshot_days as (
    select
        snapshot_date,
        row_number() over (order by snapshot_date) as day_no
    from {{ loose_distinct(relation, 'snapshot_date') }} as d
),

numbered_points as (
    select
        p.*,
        sum(case when p.starts_version then 1 else 0 end) over (
            partition by p.{{ key }} order by p.snapshot_date
        ) as version_no
    from {{ points }} as p
),

spans as (
    select
        {{ key }},
        version_no,
        min(snapshot_date) filter (where starts_version) as valid_from,
        max(snapshot_date) filter (where ends_version) as last_seen_date
    from numbered_points
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
        next_day.snapshot_date as day_after_last_seen,
        last_day.day_no - first_day.day_no + 1 as snapshots_seen
    from spans
    inner join {{ relation }} as s
        on s.{{ key }} = spans.{{ key }}
        and s.snapshot_date = spans.valid_from
    inner join snapshot_days as first_day
        on first_day.snapshot_date = spans.valid_from
    inner join snapshot_days as last_day
        on last_day.snapshot_date = spans.last_seen_date
    left join snapshot_days as next_day
        on next_day.day_no = last_day.day_no + 1
),

versioned as (
    select
        versions.*,
        lead(versions.valid_from) over (partition by versions.{{ key }} order by versions.version_no) as next_valid_from,
        versions.day_after_last_seen is null as is_current
    from versions
)
{% endmacro %}

{#- valid_to of a version of `versioned`: open while current; the day before the next version
    when that starts on the snapshot day after this one was last seen; else the last day seen
    (the key was absent from the following snapshot days). -#}
{% macro scd2_valid_to(alias='versioned') -%}
case
    when {{ alias }}.is_current then null
    when {{ alias }}.next_valid_from = {{ alias }}.day_after_last_seen then {{ alias }}.next_valid_from - 1
    else {{ alias }}.last_seen_date
end
{%- endmacro %}

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

{#- The attributes whose change starts a new version of an agency (dim_agency). -#}
{% macro agency_version_attributes() -%}
{{ return([
    'agency_name', 'agency_level', 'parent_agency_code', 'admin_unit_code',
    'effective_from', 'effective_to', 'successor_agency_code',
]) }}
{%- endmacro %}
