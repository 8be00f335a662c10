-- A statement's syntax tree as JSON: DuckDB parses it without binding or running anything.
select json_serialize_sql($sql) as tree
