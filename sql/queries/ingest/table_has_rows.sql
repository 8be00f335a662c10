-- Whether a registry table holds any row (read without scanning it): an import into an empty table inserts
-- every row it gives, so registry/ingest.py skips the joins that tell new rows from changed ones.
select exists (select 1 from {{table}})
