{{ config(
    materialized='incremental',
    unique_key='batch_id',
    incremental_strategy='delete+insert',
    indexes=[
        {'columns': ['batch_id']},
        {'columns': ['document_id']},
    ],
    pre_hook=[
        "{% if is_incremental() %}delete from {{ this }} where batch_id = any(array({{ unpublished_batch_ids() }})){% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Every document id named by any published docmgmt row, with its batch: what the incremental
    models read to find the documents a new batch touches, and the batches that hold a
    document's rows (so that they re-read those batches of raw, not all of it).
    Incremental by batch: a run adds the batches published since the last build and drops the
    batches no longer published (a re-sent day). #}

with vanban as (
    {{ published_rows('docmgmt_vanban') }}
    {% if is_incremental() %}and {{ in_unread_batches(this.name) }}{% endif %}
),

noinhan as (
    {{ published_rows('docmgmt_noinhan') }}
    {% if is_incremental() %}and {{ in_unread_batches(this.name) }}{% endif %}
),

trangthai as (
    {{ published_rows('docmgmt_trangthai') }}
    {% if is_incremental() %}and {{ in_unread_batches(this.name) }}{% endif %}
),

unioned as (
    select ma_van_ban, _batch_id, _export_date from vanban
    union all
    select ma_van_ban, _batch_id, _export_date from noinhan
    union all
    select ma_van_ban, _batch_id, _export_date from trangthai
),

final as (
    select distinct
        {{ norm_text('ma_van_ban') }} as document_id,
        _batch_id as batch_id,
        _export_date as export_date
    from unioned
    where {{ norm_text('ma_van_ban') }} is not null
)

select * from final
