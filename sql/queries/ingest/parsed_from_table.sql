-- A first load's rows (insert_parsed.sql) as parse_file.sql's table would hold them, for the checks: no cell
-- kept a text (the insert stopped at any cell problem). Row numbers are the table's uncommitted rowids, not the
-- file's: a check that finds anything rolls the first load back, and the staged validation names the rows.
create or replace temp view {{parsed}} as
select {{stored_names}}, null::varchar[] as _texts, rowid from {{target}}
