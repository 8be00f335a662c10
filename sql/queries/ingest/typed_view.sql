-- A parsed file as the checks read it: its file name (set by file_name.sql), each row's number as a
-- spreadsheet shows it (the header is row 1, the first data row row 2) and each kept text as r_<column>. The
-- parsed table keeps the file's order (DuckDB preserves insertion order), so its rowid counts the file's rows.
create or replace temp view {{typed}} as
select getvariable('{{name}}') as _file, rowid + 2 as _row, {{stored_names}}, {{texts}} from {{parsed}}
