-- Remove a first load's view of its written rows (parsed_from_table.sql) before drop_temporaries.sql, which
-- drops a staged import's table of the same name.
drop view if exists {{parsed}}
