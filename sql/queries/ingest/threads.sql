-- The connection's current thread count, restored after the import's inserts (ingest_sql.one_thread).
select current_setting('threads')
