-- How many rows a parsed file holds: into an empty registry table all of them are new (count_changes.sql
-- finds the same, by a join against the table).
select count(*) from {{typed}}
