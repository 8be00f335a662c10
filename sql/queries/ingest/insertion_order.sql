-- Whether DuckDB keeps a statement's rows in the order it reads them ($preserve). A first load does not
-- (first_load.unordered): kept in file order, each thread's share of a file ends in a part-filled row group,
-- and the checkpoint at commit then rewrites them into full ones (at 100k patients 74 row groups of lesion
-- reads where 45 hold them, and a 2.7 s checkpoint instead of 1.0 s). Rows have no order in a table; every
-- reader that needs one sorts (an export by its key, an analysis by patient and time).
set preserve_insertion_order = $preserve
