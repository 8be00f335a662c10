-- The columns of one registry view or table, in order (registry.dictionary): on PostgreSQL the tables live
-- in the attached database's public schema and the views in this session's memory catalog.
select column_name as "column", data_type as "type"
from duckdb_columns()
where table_name = $relation
  and (database_name = 'registry' or (database_name = 'memory' and $is_postgres))
  and schema_name in ('main', 'public')
order by column_index
