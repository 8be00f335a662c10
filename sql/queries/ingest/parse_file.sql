-- Parse a file (read by source_csv, source_parquet or source_empty, filled in below) into typed columns named as
-- the registry stores them, keeping the trimmed text (r_<column>) beside each so that checks can tell an empty
-- cell from an unparseable one. _row numbers rows as a spreadsheet shows them: the header is row 1, the first
-- data row is row 2 (row_number() over () is computed by a streaming window, in the file's order). When the
-- file has columns outside the spec, read_all makes DuckDB read them too: a CSV error in a file read only in
-- part fails inside DuckDB 1.5 ("Attempted to access index 7 within vector of size 7") instead of reporting.
create or replace temp table {{typed}} as
with raw as (select row_number() over () + 1 as _row, {{raw_columns}} from {{source}} where {{read_all}})
select $file as _file, _row, {{raw_names}}, {{parsed_columns}} from raw
