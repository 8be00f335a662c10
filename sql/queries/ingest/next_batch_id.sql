-- The batch id the next import will take from import_batch_seq, without taking it (a first load writes it
-- into its rows before the import knows it will commit; a sequence value once taken is not given back).
select coalesce(last_value + increment_by, start_value)
from duckdb_sequences()
where sequence_name = 'import_batch_seq' and database_name = current_database()
