{#- The keys and (agency, period) pairs a mart recomputes in an incremental run. -#}

{#- Dossiers whose footprint changed since the mart last consumed footprints. -#}
{% macro changed_dossier_ids(model_name) -%}
select dossier_id
from {{ ref('int_dossier_footprints') }}
where changed_at > {{ consumed_since(model_name) }}
{%- endmacro %}

{% macro changed_document_ids(model_name) -%}
select document_id
from {{ ref('int_document_footprints') }}
where changed_at > {{ consumed_since(model_name) }}
{%- endmacro %}

{#- (agency, period) pairs to recompute: every period overlapping [earliest date of a changed
    footprint, as_of_date] for each agency the footprint ever touched, plus, for every agency
    of `all_agencies_sql`, the periods that started since the previous build's as_of_date. -#}
{% macro touched_period_pairs(model_name, footprint_ref, all_agencies_sql, full) -%}
{%- if full -%}
select
    p.period_key,
    p.period_convention,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    a.agency_code
from {{ ref('dim_reporting_period') }} as p
cross join ({{ all_agencies_sql }}) as a
where p.period_start <= (select as_of_date from {{ ref('int_warehouse_as_of') }})
{%- else -%}
select
    p.period_key,
    p.period_convention,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    c.agency_code
from {{ ref('dim_reporting_period') }} as p
inner join (
    select
        agency_code,
        min(fp_from_date) as from_date
    from {{ footprint_ref }} as f
    cross join lateral unnest(f.fp_agency_codes) as agency_code
    where f.changed_at > {{ consumed_since(model_name) }}
        and f.fp_from_date is not null
    group by agency_code
) as c
    on p.period_end >= c.from_date
where p.period_start <= (select as_of_date from {{ ref('int_warehouse_as_of') }})
union
select
    p.period_key,
    p.period_convention,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    a.agency_code
from {{ ref('dim_reporting_period') }} as p
cross join ({{ all_agencies_sql }}) as a
where p.period_start <= (select as_of_date from {{ ref('int_warehouse_as_of') }})
    and p.period_start > coalesce({{ previous_as_of(model_name) }}, '-infinity'::date)
{%- endif -%}
{%- endmacro %}

{#- The counting flags of a staged dossier (int_dossiers_classified), over the columns of
    stg_onestop__dossiers: received (accepted, status neither 1 "submitted" nor 3 "not
    accepted"), and not accepted (status 3). -#}
{% macro is_received_sql() -%}
(coalesce(status_code, 0) not in (1, 3) and accepted_date is not null)
{%- endmacro %}

{% macro is_not_accepted_sql() -%}
coalesce(status_code = 3, false)
{%- endmacro %}

{% macro is_counted_dossier_sql() -%}
({{ is_received_sql() }} or {{ is_not_accepted_sql() }})
{%- endmacro %}

{#- The agencies with a counted dossier: one probe per agency of stg_onestop__dossiers' partial
    index on counted dossiers (a post-hook of that model). A `select distinct` over the dossiers
    read every staged dossier twice a night (the delete and the build of rpt_dossier_resolution),
    the part of that model's night that grew with history. -#}
{% macro dossier_agencies_sql() -%}
select agency_code
from {{ loose_distinct(ref('stg_onestop__dossiers'), 'agency_code', is_counted_dossier_sql()) }} as a
{%- endmacro %}

{% macro document_agencies_sql() -%}
select distinct agency_code
from {{ ref('stg_docmgmt__documents') }}
where agency_code is not null
{%- endmacro %}

{#- Documents whose exchanges fct_documents_exchanged rebuilds: footprint changes, plus the
    exchanges whose recipient's directory membership changed (a new directory snapshot). -#}
{% macro documents_to_rebuild_sql(model_name) -%}
{{ changed_document_ids(model_name) }}
union
select t.document_id
from {{ this }} as t
where exists ({{ unread_batches(model_name, 'portal') }})
    and t.recipient_agency_code in (
        -- the recipient codes whose directory membership differs from what their rows hold: one
        -- row read per code (a build writes every row of a code with the membership of its
        -- run), through the (recipient_agency_code, recipient_in_province) index, so the check
        -- costs a probe per code, not a scan of every exchange of history
        select c.recipient_agency_code
        from {{ loose_distinct(this, 'recipient_agency_code') }} as c
        where (
            select x.recipient_in_province
            from {{ this }} as x
            where x.recipient_agency_code = c.recipient_agency_code
            limit 1
        ) is distinct from (
            c.recipient_agency_code in (select d.agency_code from {{ directory_agency_codes() }} as d)
        )
    )
{%- endmacro %}

{#- nd09 years rpt_cchc_indicators recomputes: the years from the earliest date a changed
    dossier or document footprint touched, or a new portal batch carries, up to the as-of date;
    years started since the previous build; every year when a portal day arrived late or was
    re-sent (its earlier content is not known any more). -#}
{% macro indicator_touched_years_sql(model_name) -%}
select
    y.period_year as report_year,
    y.period_start,
    y.period_end
from {{ ref('dim_reporting_period') }} as y
where y.period_convention = 'nd09'
    and y.period_type = 'year'
    and y.period_start <= (select as_of_date from {{ ref('int_warehouse_as_of') }})
    and (
        y.period_end >= (
            select min(d) from (
                select min(fp_from_date) as d
                from {{ ref('int_dossier_footprints') }}
                where changed_at > {{ consumed_since(model_name) }}
                union all
                select min(fp_from_date)
                from {{ ref('int_document_footprints') }}
                where changed_at > {{ consumed_since(model_name) }}
                union all
                select min(b.export_date)
                from {{ ref('stg_audit__published_batches') }} as b
                where b.batch_id in ({{ unread_batches(model_name, 'portal') }})
                union all
                select min(r.rated_date)
                from {{ ref('stg_portal__ratings') }} as r
                inner join {{ ref('stg_audit__published_batches') }} as b
                    on b.batch_id = r.batch_id
                where b.batch_id in ({{ unread_batches(model_name) }})
                union all
                select '-infinity'::date
                where exists (
                    select 1 from {{ ref('stg_audit__published_batches') }} as b
                    where b.batch_id in ({{ unread_batches(model_name, 'portal') }})
                        and b.export_date < coalesce({{ previous_as_of(model_name) }}, '-infinity'::date)
                )
            ) as touched
        )
        or y.period_start > coalesce({{ previous_as_of(model_name) }}, '-infinity'::date)
    )
{%- endmacro %}


{#- Dossiers stg_onestop__dossiers re-derives in an incremental run. -#}
{% macro staged_dossiers_to_rebuild_sql() -%}
select dossier_id
from {{ ref('stg_onestop__raw_dossier_ids') }}
where batch_id = any(array({{ unread_batches(this.name, 'onestop') }}))
union
select dossier_id
from {{ this }}
where batch_id = any(array({{ unpublished_batch_ids() }}))
union
-- codes a new snapshot now knows: looked up through the model's partial indexes (post-hooks)
select dossier_id
from {{ this }}
where not is_known_agency and agency_code in (select d.agency_code from {{ directory_agency_codes() }} as d)
union
select dossier_id
from {{ this }}
where not is_known_procedure and procedure_code in (select c.procedure_code from {{ catalogue_procedure_codes() }} as c)
{%- endmacro %}


{#- Documents stg_docmgmt__documents re-derives in an incremental run. -#}
{% macro staged_documents_to_rebuild_sql() -%}
select document_id
from {{ ref('stg_docmgmt__raw_document_ids') }}
where batch_id = any(array({{ unread_batches(this.name, 'docmgmt') }}))
union
select document_id
from {{ this }}
where batch_id = any(array({{ unpublished_batch_ids() }}))
union
select document_id
from {{ this }}
where not is_known_agency and agency_code in (select d.agency_code from {{ directory_agency_codes() }} as d)
{%- endmacro %}


{#- Documents whose rows a docmgmt staging model keyed by document (recipients, status reports)
    re-derives: those named by a new batch, and those with a row from a batch no longer
    published (a re-sent day). -#}
{% macro staged_document_rows_to_rebuild_sql() -%}
select document_id
from {{ ref('stg_docmgmt__raw_document_ids') }}
where batch_id = any(array({{ unread_batches(this.name, 'docmgmt') }}))
union
select document_id
from {{ this }}
where batch_id = any(array({{ unpublished_batch_ids() }}))
{%- endmacro %}


{#- The keys a footprint model rewrites in an incremental run: those named by the batches of
    `system` published since its last build, and those whose footprint holds an export day of
    such a batch (a re-sent day: rows may have gone). -#}
{% macro footprint_candidates_sql(key, ids_model, system) -%}
select {{ key }}
from {{ ref(ids_model) }}
where batch_id = any(array({{ unread_batches(this.name, system) }}))
union
select {{ key }}
from {{ this }}
where fp_export_dates && array(
    select b.export_date
    from {{ ref('stg_audit__published_batches') }} as b
    where b.batch_id in ({{ unread_batches(this.name, system) }})
)
{%- endmacro %}


{#- (register agency, day) pairs whose document figures may have changed since `model_name` last
    consumed the footprints: every agency and register day (sent day, deadline) a changed
    document ever had. -#}
{% macro document_touched_days_sql(model_name) -%}
{{ touched_days_sql(model_name, ref('int_document_footprints'), 'fp_register_dates', 'register_date') }}
{%- endmacro %}

{#- (agency, period) pairs rpt_document_exchange recomputes in an incremental run: the periods
    containing a touched (agency, day), plus, for every agency with a document figure, the
    periods started since the previous build's as_of_date. Periods start on or before the
    as-of date. -#}
{% macro document_touched_period_pairs(model_name) -%}
select
    p.period_key,
    p.period_convention,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    t.agency_code
from ({{ document_touched_days_sql(model_name) }}) as t
inner join {{ ref('int_date_periods') }} as p
    on p.date_day = t.register_date
where p.period_start <= (select as_of_date from {{ ref('int_warehouse_as_of') }})
union
select
    p.period_key,
    p.period_convention,
    p.period_type,
    p.period_label,
    p.period_start,
    p.period_end,
    a.agency_code
from {{ ref('dim_reporting_period') }} as p
cross join (
    select agency_code from {{ ref('int_document_register_days') }}
    union
    select agency_code from {{ ref('int_document_deadline_days') }}
) as a
where p.period_start <= (select as_of_date from {{ ref('int_warehouse_as_of') }})
    and p.period_start > coalesce({{ previous_as_of(model_name) }}, '-infinity'::date)
{%- endmacro %}

{#- (agency, day) keys a daily aggregate recomputes: every agency a footprint changed since the
    model's last build ever touched, crossed with every day of `dates_column` it ever counted on
    (a superset of the keys its old and new rows are counted under: a few per changed footprint). -#}
{% macro touched_days_sql(model_name, footprint_ref, dates_column, day_name='day') -%}
select distinct
    a.agency_code,
    d.{{ day_name }}
from {{ footprint_ref }} as f
cross join lateral unnest(f.fp_agency_codes) as a (agency_code)
cross join lateral unnest(f.{{ dates_column }}) as d ({{ day_name }})
where f.changed_at > {{ consumed_since(model_name) }}
{%- endmacro %}
