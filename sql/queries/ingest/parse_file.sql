-- Parse a staged file into typed columns named as the registry stores them, keeping the trimmed text
-- (r_<column>) beside each so that checks can tell an empty cell from an unparseable one.
-- _row numbers rows as a spreadsheet shows them: the header is row 1, the first data row is row 2.
create or replace temp table {{typed}} as
with raw as (select rowid + 2 as _row, {{raw_columns}} from {{stage}})
select $file as _file, _row, {{raw_names}}, {{parsed_columns}} from raw
