-- The import file a parsed table came from (null for a table the import leaves out), as a session variable
-- that typed_view.sql reads: the name is bound here rather than written into the view's SQL.
set variable {{name}} = $file::varchar
