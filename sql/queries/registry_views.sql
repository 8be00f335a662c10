-- The registry's analysis views with their comments: in the file, or in the session for PostgreSQL.
select view_name, comment
from duckdb_views()
where not internal and schema_name = 'main'
  and database_name = (case when $is_postgres then 'memory' else 'registry' end)
order by view_name
