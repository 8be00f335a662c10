-- Every table and view name in any attached catalog, system views included: names a WITH clause may not reuse.
select table_name as name from duckdb_tables()
union
select view_name from duckdb_views()
