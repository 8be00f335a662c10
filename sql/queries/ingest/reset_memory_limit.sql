-- Return the connection's memory limit to DuckDB's default after an import.
reset memory_limit
