-- Parse a file (read by source_csv, source_parquet or source_empty, filled in below) into typed columns named as
-- the registry stores them. A cell's trimmed text is kept only where its value did not parse or is out of range
-- (column_sql.kept_text), so that checks can quote it and tell an empty cell (no value, no text) from a bad one;
-- a row's kept texts are one list, null on a valid row, so a valid file carries no second copy of its text.
-- typed_view.sql names them r_<column> again and numbers the rows from the table's rowid: a row_number()
-- window would parse the file on one thread. When the file has columns outside the spec, read_all makes DuckDB
-- read them too: a CSV error in a file read only in part fails inside DuckDB 1.5 ("Attempted to access index 7
-- within vector of size 7") instead of reporting. Costs at tens of millions of rows shape the pieces: a cell
-- is trimmed only when an end could be a space (DuckDB's trim removes ' ' and the Unicode space separators, so
-- only a cell ending in ' ' or holding a non-ASCII character needs it; in a CSV file whose bytes show no such
-- cell, csv_lines.EdgeSpaces, no cell is tested: column_sql.raw_as_written), and an enum or boolean is matched as
-- written before it is lower-cased (column_sql.raw_present, parse_enum, parse_boolean).
create or replace temp table {{parsed}} as
with raw as (select {{raw_columns}} from {{source}} where {{read_all}}),
typed as (select {{raw_names}}, {{parsed_columns}} from raw),
kept as (select {{stored_names}}, {{kept_texts}} from typed)
select {{stored_names}}, case when not ({{no_text_kept}}) then [{{raw_names}}] end as _texts from kept
