-- Record one import batch under the id drawn from import_batch_seq.
insert into import_batches (batch_id, operator, command, source, is_update)
values ($batch_id, $operator, $command, $source, $is_update)
