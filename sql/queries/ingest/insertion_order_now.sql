-- Whether DuckDB keeps a statement's rows in the order it reads them, restored after a first load's insert.
select current_setting('preserve_insertion_order')
