{#- Versions (SCD type 2) from complete daily snapshots: consecutive snapshot days on which a
    key has the same attributes form one version. A key absent from a snapshot day ends its
    version on its last day seen; a version seen on the latest snapshot day is open (valid_to
    null, is_current true).
    relation: snapshots with columns snapshot_date, <key> and the attributes. -#}
{% macro scd2_from_snapshots(relation, key, attributes) %}
snapshot_days as (
    select
        snapshot_date,
        dense_rank() over (order by snapshot_date) as day_no
    from (select distinct snapshot_date from {{ relation }}) as d
),

latest_day as (
    select max(day_no) as day_no from snapshot_days
),

hashed as (
    select
        s.*,
        d.day_no,
        md5(row({% for a in attributes %}s.{{ a }}{{ ", " if not loop.last }}{% endfor %})::text) as attribute_hash
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

versions as (
    -- attributes are equal within a version: take them from its first day
    select distinct on ({{ key }}, version_no)
        {{ key }},
        version_no,
        {% for a in attributes %}
        {{ a }},
        {% endfor %}
        min(snapshot_date) over by_version as valid_from,
        max(snapshot_date) over by_version as last_seen_date,
        max(day_no) over by_version as last_day_no,
        count(*) over by_version as snapshots_seen
    from islands
    window by_version as (partition by {{ key }}, version_no)
    order by {{ key }}, version_no, day_no
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
