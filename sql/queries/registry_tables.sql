-- The registry's base tables, in the file (schema main) or the PostgreSQL database (schema public).
select table_name
from duckdb_tables()
where database_name = 'registry' and schema_name in ('main', 'public') and not internal
order by table_name
