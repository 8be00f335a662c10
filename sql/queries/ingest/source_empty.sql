-- No rows, for a table the import does not include, so that every check can read every table.
(select 1 as _absent where false)
