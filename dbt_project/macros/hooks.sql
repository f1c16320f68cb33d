{#- Run before every dbt invocation: extensions, the incremental bookkeeping table, warnings. -#}
{% macro cchc_on_run_start() %}
    {%- if execute and pii_key_is_default() -%}
        {{ log("WARNING: CCHC_PII_KEY is not set: applicant identifiers are hashed with the development key 'cchc-development-key-NOT-SECRET'. Set CCHC_PII_KEY outside development.", info=True) }}
    {%- endif -%}
    do $$
    begin
        -- Cosmos runs one dbt invocation per model, two at a time: serialise this catalogue work
        perform pg_advisory_xact_lock(hashtext('cchc dbt on-run-start'));
        if exists (select 1 from pg_available_extensions where name = 'pgcrypto') then
            create extension if not exists pgcrypto;
        end if;
        create schema if not exists intermediate;
        create table if not exists intermediate.cchc_build_watermarks (
            model_name text primary key,
            published_until timestamptz,
            consumed_until timestamptz,
            as_of_date date,
            updated_at timestamptz not null default now()
        );
        comment on table intermediate.cchc_build_watermarks is
            'Bookkeeping of the incremental models (written by their post-hooks): the latest audit.load_batches.published_at a footprint model has read (published_until), the footprint changes a mart has consumed (consumed_until) and the as_of_date it was built for.';
    end
    $$;
{% endmacro %}
