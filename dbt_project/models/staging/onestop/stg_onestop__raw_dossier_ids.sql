{{ config(
    materialized='incremental',
    unique_key='batch_id',
    incremental_strategy='delete+insert',
    indexes=[
        {'columns': ['batch_id']},
        {'columns': ['dossier_id']},
    ],
    pre_hook=[
        "{% if is_incremental() %}delete from {{ this }} where batch_id = any(array({{ unpublished_batch_ids() }})){% endif %}",
    ],
    post_hook=["{{ record_watermark(this.name) }}"],
) }}

-- depends_on: {{ ref('stg_audit__published_batches') }}
-- depends_on: {{ ref('int_warehouse_as_of') }}

{# Every dossier id named by a published hoso row, with its batch and export day: what the
   incremental models read to find the dossiers a new batch touches, and the batches that hold
   a dossier's versions (no parsing, so cheap). Incremental by batch, as
   stg_docmgmt__raw_document_ids. #}

with hoso as (
    {{ published_rows('onestop_hoso') }}
    {% if is_incremental() %}and {{ in_unread_batches(this.name) }}{% endif %}
),

final as (
    select distinct
        {{ norm_text('ma_ho_so') }} as dossier_id,
        _batch_id as batch_id,
        _export_date as export_date
    from hoso
    where {{ norm_text('ma_ho_so') }} is not null
)

select * from final
