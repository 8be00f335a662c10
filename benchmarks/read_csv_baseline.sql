-- Baseline for the import benchmark (benchmarks/run_all.py): DuckDB's raw read_csv of one interchange file
-- with auto-detected types, no checks. {{table}} is a table name from registry.columns.
create table {{table}} as select * from read_csv($path)
