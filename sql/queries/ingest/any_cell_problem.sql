-- Whether any cell of a parsed file has a problem check_cells would report (column_sql.text_problem or
-- kept_problem, one per column): one pass over the file, so that a valid file is not scanned once per column.
select exists (select 1 from {{typed}} where {{problems}})
