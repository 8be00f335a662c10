-- The next value of one of the registry's sequences ($sequence: import_batch_seq, change_log_seq).
select nextval($sequence) as id
