-- The connection's current memory limit, restored after an import.
select current_setting('memory_limit')
