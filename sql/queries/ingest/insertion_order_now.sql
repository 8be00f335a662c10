-- Whether DuckDB keeps a statement's rows in the order it reads them, restored after a first load
-- (first_load.unordered).
select current_setting('preserve_insertion_order')
