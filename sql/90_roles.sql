-- The BI role: reads marts and nothing else. Idempotent. The password (if any) is set from
-- CCHC_BI_PASSWORD by warehouse.py, never written here.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'bi_reader') then
        create role bi_reader login;
    end if;
end
$$;

revoke all on schema raw, quarantine, audit, staging, intermediate from public;
revoke all on all tables in schema raw, quarantine, audit, staging, intermediate from bi_reader;
revoke create on schema marts from public;
grant usage on schema marts to bi_reader;
grant select on all tables in schema marts to bi_reader;
-- Tables dbt creates later in marts (by the role running this bootstrap) are readable too.
alter default privileges in schema marts grant select on tables to bi_reader;
alter role bi_reader set default_transaction_read_only = on;
alter role bi_reader set search_path = marts;
alter role bi_reader set statement_timeout = '60s';
-- BI sessions read local dates and times: a timestamp's day is its day in Việt Nam, the day the
-- marts' dates use (date_trunc or ::date on sent_at gives the reporting day).
alter role bi_reader set timezone = 'Asia/Ho_Chi_Minh';
