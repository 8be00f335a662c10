-- The staged file's columns (read from the result description; no rows are fetched).
select * from {{stage}} limit 0
