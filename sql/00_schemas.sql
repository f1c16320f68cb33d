-- Schemas of the warehouse's layers (conventions.md, "Data layers"). Idempotent.
create schema if not exists raw;
create schema if not exists quarantine;
create schema if not exists audit;
create schema if not exists staging;
create schema if not exists intermediate;
create schema if not exists marts;

comment on schema raw is 'One table per source file, every field as text exactly as exported, plus _batch_id, _export_date, _file, _line. Written by load.py (COPY).';
comment on schema quarantine is 'Records that could not be loaded, with system, day, file, line, field and reason.';
comment on schema audit is 'One row per load batch and per file: manifest, checksums, rows declared/loaded/quarantined, status, GX result.';
comment on schema staging is 'dbt: typed, renamed to English snake_case, NFC, latest versions, PII hashed.';
comment on schema intermediate is 'dbt: joins and state logic reused by the marts.';
comment on schema marts is 'dbt: dims, facts and report marts; the public interface (reporting-contract.md). The only schema BI can read.';
