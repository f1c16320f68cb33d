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
            consumed_until timestamptz,
            as_of_date date,
            updated_at timestamptz not null default now()
        );
        comment on table intermediate.cchc_build_watermarks is
            'Bookkeeping of the incremental models (written by their post-hooks): the footprint changes a mart has consumed (consumed_until) and the as_of_date it was built for.';
        create table if not exists intermediate.cchc_batches_read (
            model_name text not null,
            batch_id bigint not null,
            primary key (model_name, batch_id)
        );
        comment on table intermediate.cchc_batches_read is
            'Bookkeeping of the incremental models (written by their post-hooks): the published audit.load_batches each model has read; an incremental build reads the published batches not listed for it.';
    end
    $$;
{% endmacro %}
