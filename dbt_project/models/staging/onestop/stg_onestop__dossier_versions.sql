{{ dossier_versions_ctes() }},

final as (
    select
        *,
        row_number() over (
            partition by dossier_id
            order by source_updated_at desc nulls last, export_date desc, source_line desc
        ) as version_rank
    from typed
    where dossier_id is not null
)

select * from final
