{#- Typing helpers for raw text. Every helper returns null for a value it cannot read: a bad
    value never fails the build (source-contracts.md, defect 4); staging flags it instead. -#}

{#- Trim (spaces, tabs, line breaks, no-break spaces) and upper-case a code; '' -> null. -#}
{% macro norm_code(expr) -%}
nullif(upper(btrim({{ expr }}, E' \t\r\n\u00a0')), '')
{%- endmacro %}

{#- Trim a free key or text value; '' -> null. -#}
{% macro norm_text(expr) -%}
nullif(btrim({{ expr }}, E' \t\r\n\u00a0'), '')
{%- endmacro %}

{#- A flag field that is '1' when set. -#}
{% macro flag_1(expr) -%}
coalesce(btrim({{ expr }}) = '1', false)
{%- endmacro %}

{#- A JSON boolean stored as text ('true'/'false'). -#}
{% macro json_bool(expr) -%}
coalesce(lower(btrim({{ expr }})) in ('true', '1'), false)
{%- endmacro %}

{#- A small integer code ('2', ' 10 ') -> int; anything else -> null. -#}
{% macro safe_int(expr) -%}
case when btrim({{ expr }}) ~ '^-?[0-9]{1,9}$' then btrim({{ expr }})::integer end
{%- endmacro %}

{% macro safe_bigint(expr) -%}
case when btrim({{ expr }}) ~ '^-?[0-9]{1,18}$' then btrim({{ expr }})::bigint end
{%- endmacro %}

{#- The ISO text ('YYYY-MM-DD HH:MI:SS' or 'YYYY-MM-DD') a source format maps to, or null. -#}
{% macro _iso_text(expr, fmt) -%}
{%- set v = "btrim(" ~ expr ~ ")" -%}
{%- if fmt == 'yyyymmddhhmmss' -%}
case when {{ v }} ~ '^[0-9]{14}$' and {{ v }} <> '00000000000000'
     then substr({{ v }}, 1, 4) || '-' || substr({{ v }}, 5, 2) || '-' || substr({{ v }}, 7, 2)
          || ' ' || substr({{ v }}, 9, 2) || ':' || substr({{ v }}, 11, 2) || ':' || substr({{ v }}, 13, 2) end
{%- elif fmt == 'yyyy-mm-dd hh:mm:ss' -%}
case when {{ v }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}(:[0-9]{2})?$'
     then replace({{ v }}, 'T', ' ') end
{%- elif fmt == 'dd/mm/yyyy' -%}
case when {{ v }} ~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'
     then split_part({{ v }}, '/', 3) || '-' || split_part({{ v }}, '/', 2) || '-' || split_part({{ v }}, '/', 1) end
{%- elif fmt == 'dd/mm/yyyy hh:mm' -%}
case when {{ v }} ~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4} [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$'
     then split_part(split_part({{ v }}, ' ', 1), '/', 3) || '-' || split_part({{ v }}, '/', 2)
          || '-' || split_part({{ v }}, '/', 1) || ' ' || split_part({{ v }}, ' ', 2) end
{%- elif fmt == 'yyyy-mm-dd' -%}
case when {{ v }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' then {{ v }} end
{%- else -%}
{{ exceptions.raise_compiler_error("unknown date format " ~ fmt) }}
{%- endif -%}
{%- endmacro %}

{#- The ISO text of a source date field, to compute once in a CTE and parse with the *_from_iso
    helpers (parsing the same text several times per row is what makes staging slow). -#}
{% macro iso_text(expr, fmt) -%}
{{ _iso_text(expr, fmt) }}
{%- endmacro %}

{% macro local_ts_from_iso(iso) -%}
case when pg_input_is_valid({{ iso }}, 'timestamp')
     then ({{ iso }})::timestamp at time zone '{{ var("local_time_zone") }}' end
{%- endmacro %}

{% macro date_from_iso(iso) -%}
case when pg_input_is_valid({{ iso }}, 'date') then ({{ iso }})::date end
{%- endmacro %}

{#- A local (Asia/Ho_Chi_Minh) timestamp written in `fmt` -> timestamptz, or null. -#}
{% macro local_ts(expr, fmt) -%}
{%- set iso = _iso_text(expr, fmt) -%}
case when pg_input_is_valid({{ iso }}, 'timestamp')
     then ({{ iso }})::timestamp at time zone '{{ var("local_time_zone") }}' end
{%- endmacro %}

{#- A date written in `fmt` -> date, or null. -#}
{% macro safe_date(expr, fmt) -%}
{%- set iso = _iso_text(expr, fmt) -%}
case when pg_input_is_valid({{ iso }}, 'date') then ({{ iso }})::date end
{%- endmacro %}

{#- ISO 8601 with an offset (trangthai.xml); without an offset the time is local. -#}
{% macro iso_offset_ts(expr) -%}
case
    when btrim({{ expr }}) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
         and pg_input_is_valid(btrim({{ expr }}), 'timestamptz')
        then btrim({{ expr }})::timestamptz
    when btrim({{ expr }}) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?$'
         and pg_input_is_valid(btrim({{ expr }}), 'timestamp')
        then btrim({{ expr }})::timestamp at time zone '{{ var("local_time_zone") }}'
end
{%- endmacro %}

{#- danhgia.xlsx 'Thời điểm': 'YYYY-MM-DD HH:MM:SS' (local) or an Excel serial day number. -#}
{% macro excel_or_local_ts(expr) -%}
case
    when btrim({{ expr }}) ~ '^[0-9]{1,6}(\.[0-9]+)?$'
        then ('1899-12-30'::timestamp
              + make_interval(secs => round(btrim({{ expr }})::numeric * 86400)::double precision))
             at time zone '{{ var("local_time_zone") }}'
    else {{ local_ts(expr, 'yyyy-mm-dd hh:mm:ss') }}
end
{%- endmacro %}

{#- The local date of a timestamptz. -#}
{% macro local_date(ts) -%}
(({{ ts }}) at time zone '{{ var("local_time_zone") }}')::date
{%- endmacro %}

{#- True when the raw value holds something (not '', not the null date) that could not be read. -#}
{% macro is_bad_value(raw_expr, parsed_expr) -%}
(nullif(nullif(btrim({{ raw_expr }}), ''), '00000000000000') is not null and ({{ parsed_expr }}) is null)
{%- endmacro %}

{#- The nd09 reporting year of a local date: from 15/12 on, the next year (15/12 + 17 days = 1/1). -#}
{% macro nd09_year(d) -%}
extract(year from ({{ d }}) + 17)::integer
{%- endmacro %}
