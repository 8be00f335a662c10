-- The JSON structure (column -> type) of one registry table, to read logged records back into it.
select to_json(map(list(column_name order by column_index), list(data_type order by column_index)))::varchar as structure
from duckdb_columns()
where database_name = 'registry' and table_name = $table_name
