-- Cap DuckDB's memory while importing; larger intermediates spill to its temp directory.
set memory_limit = $limit
