-- The registry tables' primary keys: a first load into such a table leaves repeated keys to the key itself
-- (its insert stops at one), so any_duplicate_key.sql need not look (registry/first_load.py).
select table_name, constraint_column_names as columns
from duckdb_constraints()
where database_name = current_database() and constraint_type = 'PRIMARY KEY'
