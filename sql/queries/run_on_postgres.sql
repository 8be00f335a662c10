-- Run one PostgreSQL statement (a migration) in the attached PostgreSQL registry, inside DuckDB's transaction.
call postgres_execute('registry', $sql)
