-- A file's columns (read from the result description; no rows are fetched).
select * from {{source}} limit 0
