-- Set the connection's thread count (ingest_sql.one_thread: one thread for the write, then as it was).
set threads = $threads
