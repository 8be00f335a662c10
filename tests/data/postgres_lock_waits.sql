-- Number of PostgreSQL sessions waiting for a lock (tests/test_postgres_concurrency.py).
select waiting from postgres_query('registry', 'select count(*)::int as waiting from pg_locks where not granted')
