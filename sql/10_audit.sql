-- Load audit and quarantine (load.py writes them; `cchc status` and reports read them). Idempotent.

create table if not exists audit.load_batches (
    batch_id        bigserial primary key,
    system          text not null check (system in ('onestop', 'docmgmt', 'portal')),
    export_date     date not null,
    province_code   text,
    generated_at    timestamptz,
    manifest        jsonb not null,
    -- loaded: in raw, not yet validated; published: validated, read by staging;
    -- rejected: a critical GX check failed; superseded: replaced by a newer batch of the same day;
    -- abandoned: an unpublished batch cleared by a later attempt.
    status          text not null check (status in ('loaded', 'published', 'rejected', 'superseded', 'abandoned')),
    message         text,
    arrived_late    boolean not null default false,
    loaded_by       text,
    started_at      timestamptz not null default now(),
    loaded_at       timestamptz,
    published_at    timestamptz,
    gx_success      boolean,
    gx_summary      jsonb
);
create index if not exists load_batches_day on audit.load_batches (system, export_date);
create unique index if not exists load_batches_one_published
    on audit.load_batches (system, export_date) where status = 'published';

create table if not exists audit.batch_files (
    batch_id            bigint not null references audit.load_batches on delete cascade,
    file_name           text not null,
    raw_table           text,
    rows_declared       integer not null,
    rows_loaded         integer not null,
    rows_quarantined    integer not null,
    sha256              text not null,
    bytes               bigint not null,
    encoding_declared   text,
    encoding_used       text,
    extra_columns       text[] not null default '{}',
    seconds             numeric(10, 3),
    primary key (batch_id, file_name),
    check (rows_declared = rows_loaded + rows_quarantined)
);

-- Attempts that never became a batch: manifest mismatch, truncated file, schema break, missing day.
create table if not exists audit.day_events (
    event_id        bigserial primary key,
    system          text not null,
    export_date     date not null,
    event           text not null check (event in ('failed', 'missing', 'waiting', 'late')),
    file_name       text,
    message         text not null,
    noted_at        timestamptz not null default now()
);
create index if not exists day_events_day on audit.day_events (system, export_date);

create table if not exists quarantine.records (
    batch_id        bigint not null references audit.load_batches on delete cascade,
    system          text not null,
    export_date     date not null,
    file_name       text not null,
    line_number     integer not null,
    field           text,
    reason          text not null,
    raw             text
);
create index if not exists records_batch on quarantine.records (batch_id);
create index if not exists records_day on quarantine.records (system, export_date);

-- The batch that stands for each (system, export_date): the published one, else the latest attempt.
create or replace view audit.current_batches as
select distinct on (system, export_date) *
from audit.load_batches
where status <> 'abandoned'
order by system, export_date, (status = 'published') desc, batch_id desc;

create or replace view audit.file_reconciliation as
select
    b.system,
    b.export_date,
    f.file_name,
    f.rows_declared,
    f.rows_loaded,
    f.rows_quarantined,
    b.status,
    (f.rows_declared = f.rows_loaded + f.rows_quarantined) as balanced,
    b.batch_id
from audit.current_batches as b
join audit.batch_files as f using (batch_id);

comment on view audit.file_reconciliation is
    'For every file of every loaded day: rows_declared (manifest) = rows_loaded (raw) + rows_quarantined (quarantine.records).';

-- Every day between a system's first and last published day: published, failed, rejected or
-- missing (never arrived), with the late flag. `cchc status` and the reports read it.
create or replace view audit.day_status as
with bounds as (
    select system, min(export_date) as first_day, max(export_date) as last_day
    from audit.load_batches
    where status = 'published'
    group by system
),
days as (
    select system, d::date as export_date
    from bounds, generate_series(first_day, last_day, interval '1 day') as d
),
events as (
    select distinct on (system, export_date) system, export_date, event, message
    from audit.day_events
    order by system, export_date, event_id desc
)
select
    days.system,
    days.export_date,
    coalesce(
        case when b.status = 'published' then 'published' end,
        case when e.event = 'failed' then 'failed' end,
        b.status,
        'missing'
    ) as status,
    coalesce(b.arrived_late, false) as arrived_late,
    b.batch_id,
    b.gx_success,
    coalesce(case when b.status is distinct from 'published' then e.message end, b.message) as message
from days
left join audit.current_batches as b using (system, export_date)
left join events as e using (system, export_date);
