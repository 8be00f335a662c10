-- The number of rows in one registry table; $table is a name from duckdb_tables(), bound, not formatted.
select count(*) as n from query_table($table)
