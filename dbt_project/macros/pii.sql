{#- Personal data (ChuHoSo, SoGiayTo, SoDienThoai) is replaced by HMAC-SHA256(key, value) in hex.
    The key comes from the environment (CCHC_PII_KEY, passed as the dbt var `pii_key`); when it is
    unset a clearly named development key is used and the run logs a warning.

    With pgcrypto installed the hash is pgcrypto's hmac(); the embedded PostgreSQL (pgserver)
    ships without pgcrypto, so otherwise the same HMAC (RFC 2104) is computed from the built-in
    sha256(): identical output, checked against Python's hmac in the integration tests. -#}

{% macro pii_key() -%}
    {%- set key = var('pii_key', '') -%}
    {%- if key is none or key | string | trim == '' -%}
        {{- 'cchc-development-key-NOT-SECRET' -}}
    {%- else -%}
        {{- key | string -}}
    {%- endif -%}
{%- endmacro %}

{% macro pii_key_is_default() -%}
    {{- return(var('pii_key', '') is none or var('pii_key', '') | string | trim == '') -}}
{%- endmacro %}

{% macro has_pgcrypto() -%}
    {%- if not execute -%}{{ return(false) }}{%- endif -%}
    {%- set res = run_query("select count(*) from pg_extension where extname = 'pgcrypto'") -%}
    {{- return(res.columns[0].values()[0] | int > 0) -}}
{%- endmacro %}

{#- One-row CTE body with the HMAC inner and outer pads of the key (used without pgcrypto). -#}
{% macro pii_key_pads_sql() -%}
    {%- set key_literal = "'" ~ (pii_key() | replace("'", "''")) ~ "'" -%}
    with key_bytes as (
        select case
            when octet_length(convert_to({{ key_literal }}, 'UTF8')) > 64
                then sha256(convert_to({{ key_literal }}, 'UTF8'))
            else convert_to({{ key_literal }}, 'UTF8')
        end as k
    ),
    padded as (
        select k || decode(repeat('00', 64 - octet_length(k)), 'hex') as k
        from key_bytes
    )
    select
        decode(string_agg(lpad(to_hex(get_byte(k, i) # 54), 2, '0'), '' order by i), 'hex') as inner_pad,
        decode(string_agg(lpad(to_hex(get_byte(k, i) # 92), 2, '0'), '' order by i), 'hex') as outer_pad
    from padded
    cross join generate_series(0, 63) as i
{%- endmacro %}

{#- The hex HMAC of a text expression; `pads` is the alias of the pii_key_pads_sql() CTE. -#}
{% macro pii_hash(expr, pads='pii_key_pads') -%}
    {%- if has_pgcrypto() -%}
    case when {{ norm_text(expr) }} is not null then
        encode(hmac(convert_to({{ norm_text(expr) }}, 'UTF8'),
                    convert_to('{{ pii_key() | replace("'", "''") }}', 'UTF8'), 'sha256'), 'hex')
    end
    {%- else -%}
    case when {{ norm_text(expr) }} is not null then
        encode(sha256({{ pads }}.outer_pad
                      || sha256({{ pads }}.inner_pad || convert_to({{ norm_text(expr) }}, 'UTF8'))), 'hex')
    end
    {%- endif -%}
{%- endmacro %}
