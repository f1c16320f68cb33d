"""Checksums of every table of the content layers, to compare two warehouses built different ways
(the idempotency tests) or one warehouse before and after a re-sent day (the bench)."""

from __future__ import annotations

from cchc_warehouse.warehouse import connect

# columns that say when or in which batch a row was loaded, not what it holds
BOOKKEEPING = {
    "_batch_id",
    "batch_id",
    "changed_at",
    "updated_at",
    "published_at",
    "generated_at",
}
SKIP_TABLES = {"staging.stg_audit__published_batches"}


CONTENT_SCHEMAS = ("raw", "quarantine", "staging", "marts")


def table_checksums(url: str | None, schemas: tuple[str, ...] = CONTENT_SCHEMAS) -> dict[str, str]:
    """{schema.table: "rows:md5"} over every column but the bookkeeping ones, order-independent."""
    with connect(url) as conn:
        tables = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema = any(%s) order by 1",
            (list(schemas),),
        ).fetchall()
        sums = {}
        for (table,) in tables:
            if table in SKIP_TABLES:
                continue
            schema, name = table.split(".")
            cols = [
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns where table_schema = %s "
                    "and table_name = %s order by ordinal_position",
                    (schema, name),
                )
                if r[0] not in BOOKKEEPING
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            sums[table] = conn.execute(
                f"select count(*) || ':' || coalesce(md5(string_agg(h, '' order by h)), '') from "
                f"(select md5(row_to_json(t)::text) as h from (select {select} from {table}) t) s"
            ).fetchone()[0]
    return sums
